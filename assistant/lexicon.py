"""Domain word lists, in one place: places, role words, agency aliases, policy terms, stopwords.

Every stage that needs to know a word of the field takes it from here, so the parser, the tokenizer
and the question analysis agree. Lists only: the regular expressions built from them live with the
rule that uses them.
"""
from __future__ import annotations

# Provinces and regions: a name starting with one carries its own place ("广西海事局" never takes the
# list's "自治区" prefix), and a question naming one is about that place only.
PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
             "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾")

# ---------------------------------------------------------------- roles

# A parenthesis holding one of these may be an attribution: "（A牵头，B参与）", "（责任单位：A）".
ROLE_WORDS = ("牵头", "参与", "配合", "负责", "落实", "指导", "责任单位", "责任部门", "协办", "主办", "实施部门", "实施主体",
              "实施单位", "完成时限", "时间节点")

# "key：agencies" in an attribution; 适用范围 is a scope, not a role (None).
KEYED_ROLES: dict[str, str | None] = {
    "牵头单位": "lead", "牵头部门": "lead", "主办单位": "lead",
    "责任单位": "responsible", "责任部门": "responsible", "负责部门": "responsible", "负责单位": "responsible",
    "落实单位": "responsible",
    "参与单位": "participants", "参与部门": "participants", "配合单位": "participants", "配合部门": "participants",
    "协办单位": "participants", "参与部门和单位": "participants", "配合部门和单位": "participants",
    "实施部门": "implementers", "实施主体": "implementers", "实施单位": "implementers",
    "指导部门": "guiding", "指导单位": "guiding",
    "适用范围": None,
}

# "agencies + verb" in an attribution; longer verbs first so 牵头负责 is not read as 负责.
# 指导 counts as leading (see README, known limits).
VERB_ROLES: dict[str, str] = {
    "牵头负责": "lead", "牵头实施": "lead", "牵头": "lead", "参与配合": "participants", "配合参与": "participants",
    "配合实施": "participants", "参与实施": "participants", "协助": "participants", "负责实施": "responsible",
    "参与": "participants", "配合": "participants", "协办": "participants", "负责落实": "responsible",
    "负责": "responsible", "落实": "responsible", "指导": "lead",
}

# Words between the agencies and the verb that change nothing: "A、B按职责分工负责".
RULE_WORDS = ("按职责分工", "按照职责分工", "按职责", "按照职责", "分别", "共同", "依职责")

# Labelled forms, in parentheses or on their own line: "（牵头单位：A；配合单位：B；完成时限：…）".
# Keys that name a time rather than agencies: the value is a deadline.
TIME_KEYS = ("完成时限", "完成时间", "时间节点", "时间要求", "时间安排", "时间进度", "时限要求", "完成期限", "时限")
# Every label word a labelled line may use.
LABEL_KEYS = (*(k for k, role in KEYED_ROLES.items() if role), *TIME_KEYS)

# ---------------------------------------------------------------- tables

# Column names of task tables and what each column holds. A table is a task table when its header
# names at least one role or time column; its other columns are the task's text.
COLUMN_ROLES: tuple[tuple[str, str], ...] = (   # (word in the column name, field), first match wins
    ("领导", "text"), ("联系人", "text"), ("备注", "text"),     # people and notes, never agencies
    ("序号", "label"), ("编号", "label"), ("序", "label"),
    ("牵头", "lead"), ("主办", "lead"), ("主责", "lead"),
    ("配合", "participants"), ("参与", "participants"), ("协办", "participants"), ("协同", "participants"),
    ("实施", "implementers"), ("指导", "guiding"),
    ("责任", "responsible"), ("负责", "responsible"), ("主要部门", "responsible"), ("落实", "responsible"),
    ("时限", "deadline"), ("时间", "deadline"), ("进度", "deadline"), ("节点", "deadline"), ("期限", "deadline"),
    ("年限", "deadline"), ("完成时", "deadline"),
)
# A column named exactly one of these holds the bodies answering for the row ("单位 | 职责分工").
RESPONSIBLE_COLUMNS = ("单位", "部门", "责任方", "主体", "成员单位")
# The last word of a column name ("重点任务", "主要工作内容", "备注"…): what makes a short line a column name.
COLUMN_WORDS = ("序号", "编号", "任务", "内容", "工作", "事项", "措施", "名称", "单位", "部门", "时限", "时间", "进度",
                "节点", "期限", "年限", "目标", "指标", "备注", "说明", "分工", "职责", "要求", "地点", "位置", "面积",
                "规模", "投资", "领域", "类别", "主体", "责任方", "项目", "成果", "标准", "序")
# A cell that says "nobody" or "nothing".
EMPTY_CELLS = ("——", "—", "--", "-", "/", "／", "无", "—— ——", "－", "一一")

# Agency-like endings (an agency list, a table cell of agencies, an agency-headed section).
AGENCY_ENDINGS = ("部", "委", "厅", "局", "署", "办", "院", "行", "会", "室", "处", "所", "站", "中心", "政府", "海关", "集团",
                  "总社", "公司", "部门", "单位", "小组", "机构", "机关", "法院", "检察院", "银行", "企业", "学校", "医院",
                  "专班", "分局", "支队", "大队", "管委会", "办事处", "街镇", "街道", "乡镇", "园区", "功能区", "管理办",
                  "监委", "指挥部", "联席会议", "党校", "大学", "学院", "社")

# ---------------------------------------------------------------- questions

# Officers' short and older names -> the names documents use (applied longest first).
AGENCY_ALIASES = {
    "发改委": "发展改革委", "工信厅": "工业和信息化厅", "工信部": "工业和信息化部", "住建厅": "住房城乡建设厅",
    "住建部": "住房城乡建设部", "环保厅": "生态环境厅", "环保部": "生态环境部", "国土厅": "自然资源厅",
    "卫健委": "卫生健康委", "市监局": "市场监管局", "农业厅": "农业农村厅", "文旅部": "文化和旅游部",
    "文旅厅": "文化和旅游厅", "人社部": "人力资源社会保障部", "人社厅": "人力资源社会保障厅",
    "供销社": "供销合作总社", "银保监": "银保监会", "央行": "人民银行", "林草局": "林业和草原局", "税务局": "税务总局",
    # older names of agencies merged or renamed in the 2018 reform
    "国土资源厅": "自然资源厅", "国土资源部": "自然资源部", "环境保护厅": "生态环境厅",
    "环境保护部": "生态环境部", "环保局": "生态环境局", "农业委员会": "农业农村委", "农委": "农业农村委",
    "卫计委": "卫生健康委", "卫生计生委": "卫生健康委", "安监局": "应急管理局", "安监厅": "应急厅", "工商局": "市场监管局",
    "质监局": "市场监管局", "食药监局": "市场监管局", "规土局": "规划资源局", "林业厅": "林业局", "科技局": "科委",
    "经信委": "经济信息化委", "经信厅": "工业和信息化厅", "商务局": "商务委", "交通厅": "交通运输厅",
    "人社局": "人力资源社会保障局", "粮储局": "粮食和储备局", "绿容局": "绿化市容局", "城管局": "城管执法局",
    "住建委": "住房城乡建设管理委",
}

# Words of a question that say what is asked, not what it is about: they do not count towards
# whether a clause covers the question.
QUESTION_WORDS = frozenset("谁 哪些 哪个 什么 多少 怎么 如何 是否 吗 呢 要 的 了 是 有 还 里 中 这 那 么 几 项 件 事 个 块".split()) | {
    "牵头", "负责", "参与", "配合", "部门", "单位", "时候", "期限", "目标", "任务", "工作", "哪些单位", "什么时候", "最晚", "完成",
    "要求", "规定", "达到", "多少", "比例", "哪个部门", "来抓", "主管", "归谁管", "还有", "协助", "什么", "文件", "计划", "方案",
    "意见", "广西", "今年", "明年", "是否", "需要", "一下", "说了", "提出", "关于", "有关", "相关", "具体", "主要", "进行",
    "开始", "哪天", "哪年", "时候", "可以", "应该", "应当", "必须", "一共", "总共", "怎么样", "情况", "内容", "角色", "哪几项",
    "哪几个", "几个", "哪一级", "一级", "放在", "干什么", "做什么", "多久", "之前", "以前", "以后", "前要",
    # "…公园那条": pointing at a clause, like 这块 / 那块
    "那条", "这条", "该条", "那一条", "这一条"}

# Title words too common to tell one document from another.
GENERIC_TITLE_WORDS = ("国务院办公厅", "国务院", "关于", "印发", "通知", "意见", "方案", "若干", "的", "进一步", "加强",
                       "推进", "工作", "实施", "年度", "中华人民共和国", "重点", "全面", "推行", "发展", "制度", "试点", "建设")

# ---------------------------------------------------------------- tokenizer

# Added to jieba's dictionary so that a term stays one token in chunks and questions alike.
POLICY_TERMS = (
    "土壤污染重点监管单位", "重点监管单位", "严格管控类耕地", "安全利用类耕地", "优先保护类耕地", "净土收储", "净土供应",
    "净土开发", "污染地块", "疑似污染地块", "建设用地", "农用地", "风险管控", "治理修复", "先行区", "涉镉", "涉重金属",
    "重金属", "固体废物", "危险废物", "洋垃圾", "无废城市", "尾矿库", "非正规垃圾堆放点", "测土配方施肥", "面源污染",
    "地下水", "废弃井", "化工园区", "专项资金", "资金执行率", "开工率", "双随机、一公开", "综合保税区", "自贸试验区",
    "牵头", "参与", "配合", "负责", "落实", "年底前", "月底前", "季度末", "工作日",
)

# Stopwords added to bm25s's Chinese list: function words and question words carry no topic.
EXTRA_STOPWORDS = frozenset({
    "要", "将", "及", "与", "和", "或", "等", "对", "为", "于", "以", "在", "由", "并", "其", "之", "所", "是", "有", "个",
    "了", "的", "地", "得", "着", "把", "被", "从", "向", "按", "按照", "进一步", "有关", "相关", "各", "哪些", "哪个",
    "什么", "谁", "吗", "呢", "啊", "吧", "怎么", "如何", "多少"})
