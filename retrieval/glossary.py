"""A small English ⇄ Chinese glossary of the curriculum's domain, for query expansion.

Learners ask in English or Chinese; the plans are Chinese with English terms and the papers
are English. Neither jieba tokens nor a small multilingual encoder bridge "inference engine"
and "推理引擎" reliably, so a question gets the other language's words for the domain terms
it contains appended before it is embedded and tokenised. The list covers the vocabulary of
the study plans in general (structure, engineering, ML, careers), not particular questions.
"""

from __future__ import annotations

import re
from functools import cache

# English term (lower case, singular) -> Chinese words as the plans write them.
TERMS: dict[str, tuple[str, ...]] = {
    # the plans' structure
    "stage": ("阶段",),
    "phase": ("阶段",),
    "week": ("周",),
    "plan": ("计划",),
    "track": ("轨道",),
    "lesson": ("课程",),
    "course": ("课程",),
    "topic": ("主题",),
    "project": ("项目",),
    "practice": ("实践",),
    "exercise": ("实践", "作业"),
    "homework": ("作业",),
    "assignment": ("作业",),
    "task": ("任务",),
    "deliverable": ("交付物", "交付标准"),
    "goal": ("目标",),
    "objective": ("目标",),
    "outcome": ("成果",),
    "resource": ("资源",),
    "reference": ("参考资料",),
    "paper": ("论文",),
    "checklist": ("检查表",),
    "review": ("复盘", "复习"),
    "retrospective": ("复盘",),
    "template": ("模板",),
    "capstone": ("综合项目",),
    "depth": ("技术深度",),
    "focus": ("重点",),
    "skill": ("技能", "能力"),
    "requirement": ("要求",),
    "responsibility": ("职责",),
    "engineer": ("工程师",),
    "application": ("应用",),
    "algorithm": ("算法",),
    "interview": ("面试",),
    "behavioral": ("行为",),
    "behavioural": ("行为",),
    "mock": ("模拟",),
    "resume": ("简历",),
    "portfolio": ("作品集",),
    "blog": ("博客",),
    "career": ("职业",),
    # engineering
    "deploy": ("部署",),
    "deployment": ("部署",),
    "serving": ("服务", "部署"),
    "service": ("服务",),
    "microservice": ("微服务",),
    "architecture": ("架构",),
    "design": ("设计",),
    "container": ("容器",),
    "containerization": ("容器化",),
    "orchestration": ("编排",),
    "cluster": ("集群",),
    "gateway": ("网关",),
    "load balancing": ("负载均衡",),
    "load balancer": ("负载均衡",),
    "cache": ("缓存",),
    "caching": ("缓存",),
    "database": ("数据库",),
    "message queue": ("消息队列",),
    "queue": ("队列",),
    "monitoring": ("监控",),
    "monitor": ("监控",),
    "alerting": ("告警",),
    "alert": ("告警",),
    "logging": ("日志",),
    "log": ("日志",),
    "tracing": ("链路追踪",),
    "observability": ("可观测性",),
    "high availability": ("高可用",),
    "scaling": ("扩缩容", "扩展"),
    "backup": ("备份",),
    "security": ("安全",),
    "authentication": ("认证",),
    "authorization": ("授权",),
    "permission": ("权限",),
    "privacy": ("隐私",),
    "compliance": ("合规",),
    "payment": ("支付",),
    "billing": ("计费",),
    "cost": ("成本",),
    "performance": ("性能",),
    "optimization": ("优化",),
    "optimize": ("优化",),
    "latency": ("延迟",),
    "throughput": ("吞吐",),
    "batching": ("批处理",),
    "batch": ("批处理",),
    "concurrency": ("并发",),
    "concurrent": ("并发",),
    "asynchronous": ("异步",),
    "async": ("异步",),
    "streaming": ("流式",),
    "stream": ("流式",),
    "real-time": ("实时",),
    "realtime": ("实时",),
    "frontend": ("前端",),
    "full-stack": ("全栈",),
    "fullstack": ("全栈",),
    "testing": ("测试",),
    "test": ("测试",),
    "version": ("版本",),
    "canary": ("灰度发布",),
    "event-driven": ("事件驱动",),
    "search engine": ("搜索引擎",),
    "file upload": ("文件上传",),
    "storage": ("存储",),
    "type hint": ("类型提示",),
    "decorator": ("装饰器",),
    "generator": ("生成器",),
    "iterator": ("迭代器",),
    "data validation": ("数据验证",),
    "validation": ("验证",),
    "pipeline": ("管道", "流程"),
    "workflow": ("工作流",),
    "system design": ("系统设计",),
    "requirement analysis": ("需求分析",),
    "technical debt": ("技术债务",),
    "code review": ("代码审查",),
    "user research": ("用户研究",),
    "data analysis": ("数据分析",),
    "business": ("业务",),
    # models, training, retrieval
    "model": ("模型",),
    "large language model": ("大模型",),
    "inference": ("推理",),
    "engine": ("引擎",),
    "compare": ("对比",),
    "comparison": ("对比",),
    "training": ("训练",),
    "train": ("训练",),
    "pretraining": ("预训练",),
    "pre-training": ("预训练",),
    "fine-tuning": ("微调",),
    "finetuning": ("微调",),
    "fine-tune": ("微调",),
    "instruction tuning": ("指令微调",),
    "quantization": ("量化",),
    "quantize": ("量化",),
    "compression": ("压缩",),
    "distillation": ("蒸馏",),
    "pruning": ("剪枝",),
    "mixed precision": ("混合精度",),
    "precision": ("精度",),
    "gradient": ("梯度",),
    "accumulation": ("累积",),
    "checkpoint": ("检查点",),
    "checkpointing": ("检查点",),
    "optimizer": ("优化器",),
    "learning rate": ("学习率",),
    "scheduler": ("调度",),
    "scheduling": ("调度",),
    "distributed": ("分布式",),
    "parallelism": ("并行",),
    "parallel": ("并行",),
    "attention": ("注意力",),
    "positional encoding": ("位置编码",),
    "position encoding": ("位置编码",),
    "normalization": ("归一化",),
    "activation": ("激活函数",),
    "alignment": ("对齐",),
    "preference": ("偏好",),
    "reinforcement learning": ("强化学习",),
    "long context": ("长上下文",),
    "mixture of experts": ("混合专家",),
    "multimodal": ("多模态",),
    "image": ("图文", "图像"),
    "vision": ("视觉",),
    "table": ("表格",),
    "embedding": ("嵌入", "向量"),
    "vector": ("向量",),
    "vector database": ("向量数据库",),
    "retrieval": ("检索",),
    "retrieve": ("检索",),
    "search": ("检索", "搜索"),
    "hybrid": ("混合",),
    "rerank": ("重排序",),
    "reranking": ("重排序",),
    "reranker": ("重排序",),
    "chunking": ("切分", "分片"),
    "splitting": ("切分",),
    "document": ("文档",),
    "loader": ("加载",),
    "evaluation": ("评估",),
    "evaluate": ("评估",),
    "metric": ("指标",),
    "knowledge base": ("知识库",),
    "knowledge graph": ("知识图谱",),
    "question answering": ("问答",),
    "customer service": ("客服",),
    "prompt": ("提示词",),
    "prompt engineering": ("提示词工程",),
    "structured output": ("结构化输出",),
    "function calling": ("函数调用",),
    "tool": ("工具",),
    "agent": ("智能体",),
    "multi-agent": ("多Agent", "多智能体"),
    "collaboration": ("协作",),
    "memory": ("记忆",),
    "conversation": ("对话",),
    "dialogue": ("对话",),
    "chat": ("聊天", "对话"),
    "multi-turn": ("多轮",),
    "error handling": ("错误处理",),
    "retry": ("重试",),
    "tokenization": ("分词",),
    "dataset": ("数据集",),
    "data cleaning": ("数据清洗",),
    "local": ("本地",),
    # acronyms the plans spell out in Chinese
    "peft": ("参数高效微调",),
    "open-source": ("开源",),
    "open source": ("开源",),
}

_LATIN_WORDS_RE = re.compile(r"[a-z][a-z-]*")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_DAYS_RE = re.compile(r"\b(\d{1,3})[- ]?days?\b", re.IGNORECASE)
_DAY_RE = re.compile(r"\bday\s*(\d{1,3})\b", re.IGNORECASE)
_STAGE_RE = re.compile(r"\b(?:stage|phase)\s*(\d)\b", re.IGNORECASE)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@cache
def _chinese_to_english() -> dict[str, tuple[str, ...]]:
    reverse: dict[str, list[str]] = {}
    for english, chinese in TERMS.items():
        for word in chinese:
            if _CJK_RE.search(word):
                reverse.setdefault(word, []).append(english)
    return {word: tuple(english) for word, english in reverse.items()}


def _english_terms(text: str) -> list[str]:
    words = [_singular(word) for word in _LATIN_WORDS_RE.findall(text.lower())]
    found = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in TERMS:
                found.append(phrase)
    return found


def expand_query(text: str) -> str:
    """The question plus the other language's words for the domain terms it contains."""
    extra: list[str] = []
    for term in _english_terms(text):
        extra.extend(TERMS[term])
    extra.extend(f"{number}天" for number in _DAYS_RE.findall(text))
    extra.extend(f"第{number}天" for number in _DAY_RE.findall(text))
    extra.extend(f"第{number}阶段" for number in _STAGE_RE.findall(text))
    for chinese, english in _chinese_to_english().items():
        if chinese in text:
            extra.extend(english)
    extra = [word for word in dict.fromkeys(extra) if word.lower() not in text.lower()]
    return f"{text} {' '.join(extra)}" if extra else text
