"""What the demo's reference team is made of (docs/domain.md § Demo data): its facts, the
pools its synthetic people are drawn from, the demo logins, and its activities.

Facts and figures follow the 2018 public profile of the Shigatse municipal government
office's party-member volunteer team; every name, number and phone is invented and the
prose is our own. ``demo/team.py`` loads it.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from activities.models import ActivityStatus

D = datetime.date

PROVINCE_NAME = "西藏自治区"
CITY_NAME = "日喀则市"
TEAM_SLUG = "shigatse-gov-office"
TEAM_NAME = "日喀则市人民政府办公室党员志愿服务队"
LEAD_TITLE = "市政府副秘书长、办公室机关党委书记"
MEMBER_COUNT = 121
CHANGE_REASON = "演示数据 seed_demo"
COUNTY_COUNT = 15
SECTION_COUNT = 29

MAIN_DEEDS = """\
<p>市政府办公室党员志愿服务队组建于2016年3月，队员全部是办公室的党员干部职工。\
服务队把志愿服务当作机关党建的日常功课，围绕全市中心工作，在扶贫帮困、文明城市创建、\
政策宣讲和平安建设等方面常年开展活动。</p>
<h3>一、有章可循，队伍常备</h3>
<p>服务队由办公室机关党委统一组织，年初定计划、队员作承诺、活动后登记入账：\
每月至少组织一次集体服务，每名队员每年至少参加十次。外出服务时打队旗、戴党徽，亮明身份。</p>
<h3>二、七类项目，常年不断</h3>
<ul>
<li>节日前后走访孤寡老人和困难家庭，资助家境困难的学生；</li>
<li>借纪念日、宣传日下基层宣讲政策，年初组织县、科级干部分组到边境县农村入户宣讲；</li>
<li>上街劝导文明出行，清理小广告，维护公共设施；</li>
<li>每季度到结对村户走访，帮助理清增收思路；</li>
<li>请医生、农技人员和律师到驻村点义诊、讲解和咨询；</li>
<li>到火车站引导旅客、维护候车秩序；</li>
<li>在重要时段参加包干区域巡逻和综治宣传。</li>
</ul>
<h3>三、据实记录，群众认可</h3>
<p>每次活动都按时登记、经审核后计入统计，次数、时长和参与人次由系统据实算出。\
队员们走村入户、上街进站，服务队成了办公室党员联系群众的一座桥梁。</p>
"""

# --- People -------------------------------------------------------------------------
# Names are combined from these lists in a fixed order, so every run yields the same
# 121 people. The surnames 赵, 刘 and 林 are left out so no name of the reference's
# real people can come out. (Tables are kept out of the formatter to stay readable.)
# fmt: off
TIBETAN_FIRST = ["次仁", "扎西", "格桑", "达瓦", "尼玛", "普布", "边巴", "巴桑", "拉巴", "米玛",
                 "索朗", "旦增", "德庆", "白玛"]
TIBETAN_MALE = ["多吉", "顿珠", "平措", "旺堆", "罗布", "坚参", "加措", "群培", "欧珠", "桑珠",
                "朗杰", "土登"]
TIBETAN_FEMALE = ["卓玛", "央金", "拉姆", "曲珍", "德吉", "措姆", "央宗", "玉珍", "白珍", "卓嘎",
                  "次珍", "仓决"]
HAN_SURNAMES = ["王", "李", "张", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
                "何", "高", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯"]
HAN_MALE = ["建华", "志强", "晓东", "国栋", "振宇", "立新", "明辉", "永刚", "卫东", "德胜", "海涛",
            "文军", "宏伟", "俊峰"]
HAN_FEMALE = ["海燕", "丽萍", "文静", "红梅", "雪梅", "春燕", "秀英", "玉兰", "晓琳", "慧敏",
              "亚楠", "静怡", "丽娟", "桂芳"]
UNITS = ["秘书一科", "秘书二科", "综合科", "督查科", "信息科", "机要科", "行政科", "财务科",
         "接待科", "人事科", "政研科", "应急科"]
# fmt: on
COUNTY_POSITIONS = (
    [LEAD_TITLE]
    + ["市政府副秘书长"] * 4
    + ["市政府办公室副主任"] * 5
    + ["市政府办公室调研员"] * 3
    + ["市政府办公室副调研员"] * 2
)
WORKER_POSITIONS = ["驾驶员", "后勤服务人员", "文印员"]


class DemoLogin(NamedTuple):
    username: str
    password: str
    role: str
    last_name: str
    first_name: str


DEMO_LOGINS = [
    DemoLogin("secretary", "demo-secretary-2018", "秘书 / team secretary", "黄", "晓梅"),
    DemoLogin("staff", "demo-staff-2018", "录入员 / office staff", "周", "建新"),
    DemoLogin(
        "regionadmin", "demo-region-2018", "文明办管理员 / civilization-office admin", "郑", "海鹰"
    ),
    # The volunteer's name is the linked member's, filled in by _users_load.
    DemoLogin("volunteer", "demo-volunteer-2018", "志愿者 / volunteer", "", ""),
    DemoLogin("admin", "demo-admin-2018", "超级管理员 / superuser", "何", "文博"),
]


# --- Activities --------------------------------------------------------------------
class DemoActivity(NamedTuple):
    """One activity as designed. ``people`` is how many members take part, or a group."""

    start: datetime.date
    days: int
    category: int  # index into DEFAULT_CATEGORY_NAMES
    title: str
    hours: str
    people: int | str  # a count, or "cadres" (county + section) or "railway"
    place: str
    organiser: str
    content: str
    reached: int = 0
    materials: int = 0
    households: int = 0
    donation: int = 0
    status: str = ActivityStatus.APPROVED


OFFICE = "市政府办公室机关党委"
A = DemoActivity
# fmt: off
ACTIVITIES_2018 = [
    A(D(2018, 1, 12), 3, 1, "党的十九大精神和精准扶贫政策吉隆县入户宣讲", "12.0", "cadres",
      "吉隆县16个村", OFFICE,
      "办公室15名县级干部和29名科级干部编成3个宣讲组，分赴吉隆县16个村，"
      "以集中宣讲、座谈和入户走访相结合的方式，讲解党的十九大精神和精准扶贫政策，"
      "重点说明贫困户识别、退出程序和生态岗位。",
      reached=1560, materials=1800, households=52),
    A(D(2018, 1, 20), 1, 0, "冬季走访慰问孤寡老人", "3.0", 14, "桑珠孜区城北街道", OFFICE,
      "为独居和高龄老人送去棉衣、酥油，帮助打扫房间、检查炉具安全。", reached=36, households=18),
    A(D(2018, 1, 27), 1, 6, "包干区域综治宣传和夜间巡逻", "4.0", 12, "市委、市政府大院及包干区域",
      "办公室应急处突分队", "晚8点至12点分组巡逻大院及周边，排查消防和用电隐患。"),
    A(D(2018, 2, 8), 1, 0, "藏历新年和春节前慰问困难群众", "3.5", 16, "办公室驻村点",
      OFFICE, "向困难家庭送去大米、糌粑、清油和衣物，了解他们节日期间的生活安排。",
      reached=60, households=24),
    A(D(2018, 2, 13), 1, 6, "节日期间政府大院安全巡逻", "4.0", 10, "市委、市政府大院",
      "办公室应急处突分队", "节前连续夜间巡逻，检查门岗登记和重点部位安全。"),
    A(D(2018, 2, 26), 1, 2, "文明交通劝导志愿服务", "3.0", 15, "上海路与珠峰路交叉口",
      "市政府办公室综合科", "在路口劝导行人走斑马线、不闯红灯，向过往群众发放文明出行倡议书。",
      reached=800, materials=600),
    A(D(2018, 3, 5), 1, 1, "学雷锋纪念日志愿服务宣传", "3.0", 20, "山东广场", OFFICE,
      "设立咨询台，宣传志愿服务精神，现场为群众理发、量血压、义务修理家电。",
      reached=1200, materials=1500),
    A(D(2018, 3, 8), 1, 0, "三八妇女节慰问困难妇女", "3.0", 12, "办公室驻村点",
      "市政府办公室机关工会", "向建档立卡贫困妇女、单亲母亲和残疾妇女送去棉被、被套和暖水瓶。",
      reached=30, households=30),
    A(D(2018, 3, 12), 1, 1, "植树节植绿护绿", "4.0", 25, "年楚河畔绿化带", OFFICE,
      "栽种杨树和柳树苗，为去年栽下的树木浇水、培土、加固护栏。"),
    A(D(2018, 3, 27), 1, 3, "一季度结对帮扶走访", "5.0", 18, "南木林县结对村",
      "市政府办公室驻村工作队", "入户了解结对户的收入和困难，商量春耕、务工和养殖打算。",
      reached=56, households=20),
    A(D(2018, 4, 15), 1, 6, "全民国家安全教育日宣传", "3.0", 14, "桑珠孜区贡觉林路",
      "市政府办公室督查科", "摆放展板、发放宣传册，讲解国家安全和综治维稳常识。",
      reached=600, materials=800),
    A(D(2018, 4, 24), 1, 4, "市县医院驻村点义诊", "5.0", 12, "南木林县驻村点",
      "市政府办公室驻村工作队", "协助市、县人民医院医生为群众免费检查、答疑，讲解常见病预防。",
      reached=320, materials=500),
    A(D(2018, 5, 13), 1, 0, "母亲节向贫困母亲发放母亲邮包", "3.0", 10, "办公室驻村点",
      "市政府办公室机关工会", "把从市妇联争取来的母亲邮包逐户送到贫困母亲手中。",
      reached=15, households=15),
    A(D(2018, 5, 22), 1, 2, "街道卫生保洁和清除小广告", "3.0", 22, "办公室包干街道",
      "市政府办公室行政科", "清扫街道垃圾，铲除电线杆和墙面上的违规小广告，擦洗公共设施。"),
    A(D(2018, 6, 12), 1, 4, "农牧科技知识下乡宣讲", "4.0", 12, "南木林县驻村点",
      "市政府办公室驻村工作队", "请农牧、科技部门专家讲解惠农政策、病虫害防治和特色种养殖技术。",
      reached=450, materials=900),
    A(D(2018, 6, 26), 1, 3, "二季度结对帮扶走访", "5.0", 18, "南木林县结对村",
      "市政府办公室驻村工作队", "回访结对户，帮助联系就近务工岗位，宣传身边勤劳致富的典型。",
      reached=58, households=20),
    A(D(2018, 7, 1), 1, 5, "党员志愿者在行动·火车站志愿服务", "4.0", "railway", "日喀则火车站",
      OFFICE, "120名党员编成4支服务队，在进站口、候车室和出站口引导旅客、帮扶老弱、维护秩序。",
      reached=2600),
    A(D(2018, 7, 18), 1, 2, "文明出行和不文明行为劝导", "3.0", 16, "珠峰路商业街",
      "市政府办公室综合科", "配合市创城办劝导乱扔垃圾、乱停车等行为，发放文明市民手册。",
      reached=700, materials=500),
    A(D(2018, 8, 20), 1, 0, "资助贫困女大学生", "2.0", 8, "市政府办公室", OFFICE,
      "为5名家境困难、即将入学的女大学生每人送去慰问金500元。", reached=5, donation=2500),
    A(D(2018, 8, 28), 1, 4, "法律知识进村和法律咨询", "4.0", 10, "南木林县驻村点",
      "市政府办公室驻村工作队", "陪同司法部门律师讲解常用法律知识，为需要帮助的群众解答法律问题。",
      reached=380, materials=1000),
    A(D(2018, 9, 18), 1, 3, "三季度结对帮扶走访", "5.0", 18, "南木林县结对村",
      "市政府办公室驻村工作队", "张贴脱贫政策宣传栏，和结对户一起算收入账、订来年计划。",
      reached=62, materials=600, households=20),
    A(D(2018, 9, 28), 1, 6, "国庆节前包干区域巡逻", "4.0", 12, "市委、市政府大院及包干区域",
      "办公室应急处突分队", "节前夜间巡逻，检查大院消防通道和车辆停放。"),
    A(D(2018, 10, 17), 1, 1, "扶贫日政策宣传", "3.0", 18, "桑珠孜区德勒广场", OFFICE,
      "设点宣传精准扶贫政策，解答群众关于易地搬迁和生态岗位的问题。",
      reached=900, materials=1200),
    A(D(2018, 10, 25), 1, 5, "火车站旅客引导服务", "3.5", 16, "日喀则火车站",
      "市政府办公室接待科", "在候车室帮助旅客查询车次、搬运行李，发放出行提示卡。",
      reached=1500, materials=400),
    A(D(2018, 11, 9), 1, 1, "消防宣传日安全知识宣传", "2.5", 15, "桑珠孜区城南街道", OFFICE,
      "入户讲解冬季取暖用火用电安全，发放消防安全明白纸。", reached=650, materials=900),
    A(D(2018, 11, 20), 1, 2, "公共设施维护志愿服务", "3.0", 20, "办公室包干街道",
      "市政府办公室行政科", "检查修补护栏和公交站牌，清洗果皮箱，登记需要维修的路灯。",
      reached=300),
]
# Recent activities, so the workflow pages (lists, approval queue, drafts) show something.
ACTIVITIES_CURRENT = [
    A(D(2026, 9, 15), 1, 0, "中秋节前走访慰问孤寡老人", "3.0", 12, "桑珠孜区城北街道", OFFICE,
      "为独居老人送去月饼和生活用品，帮助打扫卫生。", reached=20, households=12),
    A(D(2026, 10, 20), 1, 5, "火车站旅客引导服务", "3.5", 20, "日喀则火车站",
      "市政府办公室接待科", "在进站口和候车室引导旅客，帮助老人和带小孩的旅客上车。",
      reached=900),
    A(D(2026, 11, 10), 1, 4, "冬季消防安全知识进社区", "2.5", 15, "桑珠孜区城南街道", OFFICE,
      "入户讲解取暖用火安全，检查燃气和电线。", reached=260, materials=400),
    A(D(2026, 11, 20), 1, 2, "文明交通劝导志愿服务", "3.0", 18, "上海路与珠峰路交叉口",
      "市政府办公室综合科", "在路口劝导行人和非机动车遵守信号灯。", reached=500, materials=300,
      status=ActivityStatus.SUBMITTED),
    A(D(2026, 11, 25), 1, 3, "冬季结对帮扶走访", "5.0", 10, "南木林县结对村",
      "市政府办公室驻村工作队", "走访结对户，了解过冬物资准备情况。", households=10,
      status=ActivityStatus.DRAFT),
]
# fmt: on
del A
