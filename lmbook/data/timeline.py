"""Milestones from the perceptron to recent large language models, each fact with its source.

Section 1.1 draws them. Every entry names the publication it comes from (a BibTeX key of
``book/references.bib`` and, where there is one, the arXiv id); parameter counts and training
tokens are the figures those publications state, for the model named in ``model`` (the largest
of a family unless said otherwise); where a figure comes from another publication,
``params_source`` names it. ``None`` means the figure is not in this table: the developer did not
publish it (``params_note``/``tokens_note`` then say ``NOT_PUBLISHED``, e.g. GPT-4), the
publication states no such total (the note says what it states instead, e.g. BERT's tokens), or
it does not apply (a learning rule, a book). ``year`` is the year of first public release (the
arXiv preprint, where there was one), not of the conference that later printed it; ``note``
records the exceptions. Entries of one year are in the order they appeared. Facts stop at
``CUTOFF``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["CUTOFF", "KINDS", "NOT_PUBLISHED", "Milestone", "milestones", "timeline_rows"]

CUTOFF = "2024-12-31"
NOT_PUBLISHED = "未公布"
# what a milestone is: a learning method, a network before the Transformer, or a Transformer
# language model by the attention it uses ("prefix-lm": bidirectional over the given context,
# causal over what it generates, as GLM's autoregressive blank infilling)
KINDS = ("rule", "network", "encoder", "decoder", "encoder-decoder", "prefix-lm")


@dataclass(frozen=True)
class Milestone:
    """One milestone: what, when, who, how large, where that is written, what it changed."""

    year: int
    name: str
    organisation: str
    kind: str  # one of KINDS
    changed: str  # one sentence, Chinese
    source: str  # BibTeX key in book/references.bib
    arxiv: str | None = None
    model: str | None = None  # the model the figures refer to
    params: float | None = None
    active_params: float | None = None  # parameters used per token (mixture of experts)
    tokens: float | None = None  # pretraining tokens
    params_note: str = ""
    tokens_note: str = ""
    params_source: str | None = None  # BibTeX key of the parameter count, if not ``source``
    note: str = ""  # a caveat on the year or the figures
    chinese: bool = False  # developed by a Chinese organisation, trained with much Chinese text


_MILESTONES = (
    Milestone(
        1958,
        "感知机",
        "Cornell Aeronautical Laboratory",
        "rule",
        "提出连接权重随训练经验而改变的感知机，用来解释大脑如何存储信息、识别模式。",
        "rosenblatt1958perceptron",
        note="1957 年 1 月的康奈尔航空实验室报告已描述感知机；此处取 1958 年的期刊论文",
    ),
    Milestone(
        1969,
        "《Perceptrons》",
        "MIT",
        "rule",
        "严格证明了单层感知机表示能力的局限（如奇偶性），XOR 即其中最小的例子。",
        "minsky1969perceptrons",
    ),
    Milestone(
        1986,
        "反向传播",
        "UC San Diego, Carnegie Mellon University",
        "rule",
        "用链式法则算出每个隐藏层权重的梯度，多层网络从此可以端到端训练。",
        "rumelhart1986learning",
    ),
    Milestone(
        1997,
        "LSTM",
        "TU München, IDSIA",
        "network",
        "用门控的记忆单元让梯度能跨越很长的时间间隔，循环网络记得住远处的信息。",
        "hochreiter1997long",
    ),
    Milestone(
        2003,
        "神经概率语言模型",
        "Université de Montréal",
        "network",
        "用词向量加神经网络估计下一个词的概率，相近的词共享统计强度，缓解了 n 元模型的稀疏。",
        "bengio2003neural",
        note="会议版见 NIPS 2000；此处取 2003 年的期刊论文（JMLR）",
    ),
    Milestone(
        2006,
        "深度信念网络",
        "University of Toronto, National University of Singapore",
        "network",
        "提出逐层贪心的无监督预训练再整体微调，为训练深层网络提供了一条可行的路线。",
        "hinton2006fast",
    ),
    Milestone(
        2013,
        "word2vec",
        "Google",
        "network",
        "极简的浅层模型在 16 亿词的语料上快速学出词向量，预训练的词表示成为 NLP 的通用部件。",
        "mikolov2013efficient",
        arxiv="1301.3781",
    ),
    Milestone(
        2014,
        "注意力（神经机器翻译）",
        "Jacobs University Bremen, Université de Montréal",
        "encoder-decoder",
        "解码每个词时对源句各位置加权求和，不再把整句压进一个定长向量。",
        "bahdanau2015neural",
        arxiv="1409.0473",
    ),
    Milestone(
        2014,
        "序列到序列学习",
        "Google",
        "encoder-decoder",
        "一个 LSTM 把源句编码成向量、另一个 LSTM 解码出译文，机器翻译可以端到端学习。",
        "sutskever2014sequence",
        arxiv="1409.3215",
        model="4 层 LSTM 编码器 + 4 层 LSTM 解码器",
        params=384e6,
    ),
    Milestone(
        2017,
        "Transformer",
        "Google Brain, Google Research",
        "encoder-decoder",
        "只用注意力、不用循环，训练可以在序列各位置上并行，成为本表此后各个模型的骨架。",
        "vaswani2017attention",
        arxiv="1706.03762",
        model="Transformer (big)",
        params=213e6,
    ),
    Milestone(
        2018,
        "GPT",
        "OpenAI",
        "decoder",
        "先在无标注文本上做生成式预训练，再对各任务微调，一个模型适配多种任务。",
        "radford2018improving",
        model="GPT（12 层）",
        params=117e6,
        params_source="radford2019language",
        params_note="GPT 的报告未给出参数量；GPT-2 论文表 2 说其最小的 117M 模型与 GPT 等价",
    ),
    Milestone(
        2018,
        "BERT",
        "Google",
        "encoder",
        "用掩码语言模型做双向预训练，微调后刷新了 11 项理解任务的最好成绩。",
        "devlin2019bert",
        arxiv="1810.04805",
        model="BERT-large（BERT-base 为 110M）",
        params=340e6,
        tokens_note="论文未给出总数：每批 256 个序列（按长度 512 记为“128,000 词元”）、100 万步，"
        "但 90% 的步数用长度 128 的序列",
    ),
    Milestone(
        2019,
        "GPT-2",
        "OpenAI",
        "decoder",
        "更大的模型、更大的网页语料：不经微调，零样本就在 8 个语言建模数据集中的 7 个上"
        "超过当时最好成绩，但阅读理解、摘要、翻译仍远不及有监督的系统。",
        "radford2019language",
        model="GPT-2（1542M）",
        params=1542e6,
        note="OpenAI 后来的模型卡片把四个模型记为 124M、355M、774M、1.5B（见 1.2 节的计算）",
    ),
    Milestone(
        2019,
        "ERNIE",
        "百度",
        "encoder",
        "在中文语料上把整个实体和短语一起遮住来预训练，把知识单元引入掩码语言模型。",
        "sun2019ernie",
        arxiv="1904.09223",
        chinese=True,
    ),
    Milestone(
        2019,
        "T5",
        "Google",
        "encoder-decoder",
        "把所有任务都写成“文本到文本”，系统比较了预训练的目标、数据和规模。",
        "raffel2020exploring",
        arxiv="1910.10683",
        model="T5-11B",
        params=11e9,
        tokens=1e12,
        tokens_note="论文 3.7 节：约 1 万亿词元",
    ),
    Milestone(
        2020,
        "缩放定律",
        "OpenAI, Johns Hopkins University",
        "rule",
        "测得损失随参数量、数据量和计算量按幂律下降，规模成为可以预测的设计变量。",
        "kaplan2020scaling",
        arxiv="2001.08361",
    ),
    Milestone(
        2020,
        "GPT-3",
        "OpenAI",
        "decoder",
        "1750 亿参数，只在提示里给几个示例（上下文学习）就能做新任务，不更新参数。",
        "brown2020language",
        arxiv="2005.14165",
        model="GPT-3 175B",
        params=175e9,
        tokens=300e9,
    ),
    Milestone(
        2021,
        "盘古-α",
        "鹏城实验室、华为等（PanGu-α 团队）",
        "decoder",
        "在 2048 块昇腾 910 上训练的中文自回归模型，最大 2000 亿参数。",
        "zeng2021pangu",
        arxiv="2104.12369",
        model="PanGu-α 200B",
        params=200e9,
        chinese=True,
    ),
    Milestone(
        2022,
        "InstructGPT",
        "OpenAI",
        "decoder",
        "在 GPT-3 上先用人写的示范做有监督微调，再用人类偏好训练奖励模型、做强化学习（RLHF）："
        "标注者更喜欢 1.3B InstructGPT 而非 175B GPT-3 的回答。",
        "ouyang2022training",
        arxiv="2203.02155",
        model="InstructGPT 175B（另有 1.3B、6B；均由 GPT-3 微调）",
        params=175e9,
        tokens_note="不适用：在 GPT-3 上微调",
    ),
    Milestone(
        2022,
        "Chinchilla",
        "DeepMind",
        "decoder",
        "给定计算量时参数和数据应同比增长：70B 模型用 4 倍的数据胜过 280B 的 Gopher。",
        "hoffmann2022training",
        arxiv="2203.15556",
        model="Chinchilla 70B",
        params=70e9,
        tokens=1.4e12,
    ),
    Milestone(
        2022,
        "PaLM",
        "Google",
        "decoder",
        "5400 亿参数的稠密模型，在 6144 块 TPU v4 上训练，多步推理类基准明显提升。",
        "chowdhery2023palm",
        arxiv="2204.02311",
        model="PaLM 540B",
        params=540e9,
        tokens=780e9,
    ),
    Milestone(
        2022,
        "GLM-130B",
        "清华大学、智谱 AI",
        "prefix-lm",
        "中英双语的 1300 亿参数开放模型，不用 GPT 式结构，而用 GLM 的自回归填空目标"
        "（上文双向注意、生成部分单向）；量化到 INT4 后可在 4 块 RTX 3090 上推理。",
        "zeng2023glm",
        arxiv="2210.02414",
        model="GLM-130B",
        params=130e9,
        tokens=400e9,
        chinese=True,
    ),
    Milestone(
        2023,
        "LLaMA",
        "Meta",
        "decoder",
        "只用公开数据、训练更久的较小模型，13B 在多数基准上胜过 GPT-3，权重向研究者开放。",
        "touvron2023llama",
        arxiv="2302.13971",
        model="LLaMA-65B",
        params=65e9,
        tokens=1.4e12,
    ),
    Milestone(
        2023,
        "GPT-4",
        "OpenAI",
        "decoder",
        "能读图像的多模态模型，在多项专业考试上接近人类水平；技术报告不公布规模与训练数据。",
        "openai2023gpt4",
        arxiv="2303.08774",
        params_note=NOT_PUBLISHED,
        tokens_note=NOT_PUBLISHED,
    ),
    Milestone(
        2023,
        "Llama 2",
        "Meta",
        "decoder",
        "2 万亿词元预训练，并发布经 RLHF 对齐的对话版本，允许商用。",
        "touvron2023llama2",
        arxiv="2307.09288",
        model="Llama 2 70B",
        params=70e9,
        tokens=2e12,
    ),
    Milestone(
        2023,
        "Qwen（通义千问）",
        "阿里巴巴",
        "decoder",
        "中英为主的多语种开放模型系列，附带对话、代码和数学专用版本。",
        "bai2023qwen",
        arxiv="2309.16609",
        model="Qwen-14B",
        params=14e9,
        tokens=3e12,
        chinese=True,
    ),
    Milestone(
        2024,
        "DeepSeek-V3",
        "DeepSeek-AI（深度求索）",
        "decoder",
        "混合专家结构：总参数 671B，每个词元只激活 37B，计算量远小于同等规模的稠密模型。",
        "deepseek2024v3",
        arxiv="2412.19437",
        model="DeepSeek-V3",
        params=671e9,
        active_params=37e9,
        tokens=14.8e12,
        chinese=True,
    ),
)


def milestones() -> tuple[Milestone, ...]:
    """All milestones, oldest first (ties in the order they appeared)."""
    return _MILESTONES


def timeline_rows() -> list[dict[str, object]]:
    """The milestones as plain dicts (one per row), e.g. for ``pandas.DataFrame``."""
    return [asdict(m) for m in _MILESTONES]
