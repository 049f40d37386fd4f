"""Chinese name pools of the demo province: people, companies, towns, villages, labs."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文关佟"
)
GIVEN_CHARS = (
    "建国军伟强磊洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林成峰晨阳东海兵红霞"
    "丽娟敏静艳玲秀英桂芳淑珍凤兰春梅玉德福广志永庆振宏文利忠长立贵喜占双春柏松岩"
)

BRAND_HEADS = (
    "华金鑫恒宏盛兴隆泰鼎源丰瑞祥福顺通达宇新利嘉裕昌东辉"
    "旺德伟永佳海峰天龙胜成安广博远凯联众富同益诚明光万中正"
)
BRAND_TAILS = "盛源泰达丰鑫宇发隆兴昌茂业鼎阳润华利顺祥安和瑞通远信诚旺恒辉晟晖峰"

COMPANY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "mine_operator": ("镁矿有限公司", "矿业有限公司", "菱镁矿业有限责任公司", "矿产有限公司"),
    "processor": (
        "耐火材料有限公司",
        "镁业有限公司",
        "镁制品有限公司",
        "新材料有限公司",
        "耐材有限公司",
        "镁质材料有限公司",
    ),
    "trader": ("商贸有限公司", "矿产品经销有限公司", "贸易有限公司"),
    "haulier": ("运输有限公司", "物流有限公司", "汽车运输有限公司"),
    "chemical": ("化工有限公司", "精细化工有限公司", "镁盐化工有限公司"),
    "other": ("建材有限公司", "机械制造有限公司", "矿山设备有限公司"),
}
PLANT_WORDS = ("耐火材料厂", "镁砂厂", "镁制品厂", "轻烧镁厂", "电熔镁厂")

# Towns per county (zh, en). Codes are the county code + 101, 102 … in this order, so a
# town keeps its code whichever towns a seed picks.
TOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    "210381": (
        ("牌楼镇", "Pailou Town"),
        ("析木镇", "Ximu Town"),
        ("八里镇", "Bali Town"),
        ("英落镇", "Yingluo Town"),
        ("马风镇", "Mafeng Town"),
        ("孤山镇", "Gushan Town"),
        ("接文镇", "Jiewen Town"),
        ("岔沟镇", "Chagou Town"),
    ),
    "210882": (
        ("官屯镇", "Guantun Town"),
        ("黄土岭镇", "Huangtuling Town"),
        ("周家镇", "Zhoujia Town"),
        ("虎庄镇", "Huzhuang Town"),
        ("博洛铺镇", "Boluopu Town"),
        ("汤池镇", "Tangchi Town"),
    ),
    "210323": (
        ("偏岭镇", "Pianling Town"),
        ("大营子镇", "Dayingzi Town"),
        ("哈达碑镇", "Hadabei Town"),
        ("三家子镇", "Sanjiazi Town"),
        ("石庙子镇", "Shimiaozi Town"),
    ),
    "210682": (
        ("青城子镇", "Qingchengzi Town"),
        ("通远堡镇", "Tongyuanpu Town"),
        ("赛马镇", "Saima Town"),
        ("鸡冠山镇", "Jiguanshan Town"),
        ("刘家河镇", "Liujiahe Town"),
    ),
    "210624": (
        ("青椅山镇", "Qingyishan Town"),
        ("永甸镇", "Yongdian Town"),
        ("长甸镇", "Changdian Town"),
        ("太平哨镇", "Taipingshao Town"),
        ("灌水镇", "Guanshui Town"),
    ),
    "211021": (
        ("首山镇", "Shoushan Town"),
        ("刘二堡镇", "Liuerbao Town"),
        ("小北河镇", "Xiaobeihe Town"),
        ("河栏镇", "Helan Town"),
        ("寒岭镇", "Hanling Town"),
    ),
}
VILLAGES = (
    "王家堡子", "下房身", "金家堡子", "大岭", "铧子峪", "杨家甸", "范家堡子", "桦子沟",
    "青山怀", "马家沟", "后英", "李家沟", "高家堡子", "小孤山", "大房身", "红土岭",
    "东沟", "西沟", "三道沟", "碾子沟", "石门", "柳河", "北台", "南岭", "梨树沟", "黄岭子",
)  # fmt: skip
ROADS = ("G202", "G305", "S321", "S322", "S213", "X015", "X026", "Y031")
LABS = (
    "海城市菱镁产品质量检验中心",
    "辽宁省冶金地质勘查研究院测试中心",
    "营口市产品质量监督检验院",
    "鞍山市质量技术监督检验所",
    "辽宁省地质矿产研究院分析测试中心",
)


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name (surname and one or two given characters)."""
    given_length = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(given_length))


def brand(rng: random.Random) -> str:
    """A two-character trade name (字号) such as 华宇 or 鑫源."""
    while True:
        head, tail = rng.choice(BRAND_HEADS), rng.choice(BRAND_TAILS)
        if head != tail:
            return head + tail
