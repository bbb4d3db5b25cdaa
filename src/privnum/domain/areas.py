"""Mainland-China telephone city codes (区号) and the provincial-level division each belongs to.

``PROVINCE_BY_AREA_CODE`` maps every city code, written with its leading ``0`` ("010", "0755", "0898"), to a short
lowercase-pinyin province identifier ("beijing", "guangdong", "hainan", "xizang", ...). Municipalities are their own
province. A few codes that have since been merged into a neighbour (e.g. "0732"/"0733" into "0731", "0910" into "029")
are kept because operators still send them; they map to the same province. The table drives ``areaMatchMode=1``
(same province first): when no number in the caller's exact city code is free, a number whose city code maps to the
same province is preferred before falling back to any number.
"""

from __future__ import annotations

PROVINCE_BY_AREA_CODE: dict[str, str] = {
    # Municipalities
    "010": "beijing",
    "021": "shanghai",
    "022": "tianjin",
    "023": "chongqing",
    # Hebei
    "0310": "hebei",  # 邯郸
    "0311": "hebei",  # 石家庄
    "0312": "hebei",  # 保定
    "0313": "hebei",  # 张家口
    "0314": "hebei",  # 承德
    "0315": "hebei",  # 唐山
    "0316": "hebei",  # 廊坊
    "0317": "hebei",  # 沧州
    "0318": "hebei",  # 衡水
    "0319": "hebei",  # 邢台
    "0335": "hebei",  # 秦皇岛
    # Shanxi
    "0349": "shanxi",  # 朔州
    "0350": "shanxi",  # 忻州
    "0351": "shanxi",  # 太原
    "0352": "shanxi",  # 大同
    "0353": "shanxi",  # 阳泉
    "0354": "shanxi",  # 晋中
    "0355": "shanxi",  # 长治
    "0356": "shanxi",  # 晋城
    "0357": "shanxi",  # 临汾
    "0358": "shanxi",  # 吕梁
    "0359": "shanxi",  # 运城
    # Inner Mongolia
    "0470": "neimenggu",  # 呼伦贝尔
    "0471": "neimenggu",  # 呼和浩特
    "0472": "neimenggu",  # 包头
    "0473": "neimenggu",  # 乌海
    "0474": "neimenggu",  # 乌兰察布
    "0475": "neimenggu",  # 通辽
    "0476": "neimenggu",  # 赤峰
    "0477": "neimenggu",  # 鄂尔多斯
    "0478": "neimenggu",  # 巴彦淖尔
    "0479": "neimenggu",  # 锡林郭勒
    "0482": "neimenggu",  # 兴安盟
    "0483": "neimenggu",  # 阿拉善盟
    # Liaoning
    "024": "liaoning",  # 沈阳
    "0410": "liaoning",  # 铁岭
    "0411": "liaoning",  # 大连
    "0412": "liaoning",  # 鞍山
    "0413": "liaoning",  # 抚顺
    "0414": "liaoning",  # 本溪
    "0415": "liaoning",  # 丹东
    "0416": "liaoning",  # 锦州
    "0417": "liaoning",  # 营口
    "0418": "liaoning",  # 阜新
    "0419": "liaoning",  # 辽阳
    "0421": "liaoning",  # 朝阳
    "0427": "liaoning",  # 盘锦
    "0429": "liaoning",  # 葫芦岛
    # Jilin
    "0431": "jilin",  # 长春
    "0432": "jilin",  # 吉林
    "0433": "jilin",  # 延边
    "0434": "jilin",  # 四平
    "0435": "jilin",  # 通化
    "0436": "jilin",  # 白城
    "0437": "jilin",  # 辽源
    "0438": "jilin",  # 松原
    "0439": "jilin",  # 白山
    # Heilongjiang
    "0451": "heilongjiang",  # 哈尔滨
    "0452": "heilongjiang",  # 齐齐哈尔
    "0453": "heilongjiang",  # 牡丹江
    "0454": "heilongjiang",  # 佳木斯
    "0455": "heilongjiang",  # 绥化
    "0456": "heilongjiang",  # 黑河
    "0457": "heilongjiang",  # 大兴安岭
    "0458": "heilongjiang",  # 伊春
    "0459": "heilongjiang",  # 大庆
    "0464": "heilongjiang",  # 七台河
    "0467": "heilongjiang",  # 鸡西
    "0468": "heilongjiang",  # 鹤岗
    "0469": "heilongjiang",  # 双鸭山
    # Jiangsu
    "025": "jiangsu",  # 南京
    "0510": "jiangsu",  # 无锡
    "0511": "jiangsu",  # 镇江
    "0512": "jiangsu",  # 苏州
    "0513": "jiangsu",  # 南通
    "0514": "jiangsu",  # 扬州
    "0515": "jiangsu",  # 盐城
    "0516": "jiangsu",  # 徐州
    "0517": "jiangsu",  # 淮安
    "0518": "jiangsu",  # 连云港
    "0519": "jiangsu",  # 常州
    "0523": "jiangsu",  # 泰州
    "0527": "jiangsu",  # 宿迁
    # Zhejiang
    "0570": "zhejiang",  # 衢州
    "0571": "zhejiang",  # 杭州
    "0572": "zhejiang",  # 湖州
    "0573": "zhejiang",  # 嘉兴
    "0574": "zhejiang",  # 宁波
    "0575": "zhejiang",  # 绍兴
    "0576": "zhejiang",  # 台州
    "0577": "zhejiang",  # 温州
    "0578": "zhejiang",  # 丽水
    "0579": "zhejiang",  # 金华
    "0580": "zhejiang",  # 舟山
    # Anhui
    "0550": "anhui",  # 滁州
    "0551": "anhui",  # 合肥
    "0552": "anhui",  # 蚌埠
    "0553": "anhui",  # 芜湖
    "0554": "anhui",  # 淮南
    "0555": "anhui",  # 马鞍山
    "0556": "anhui",  # 安庆
    "0557": "anhui",  # 宿州
    "0558": "anhui",  # 阜阳, 亳州
    "0559": "anhui",  # 黄山
    "0561": "anhui",  # 淮北
    "0562": "anhui",  # 铜陵
    "0563": "anhui",  # 宣城
    "0564": "anhui",  # 六安
    "0565": "anhui",  # 巢湖 (historic, merged into 0551)
    "0566": "anhui",  # 池州
    # Fujian
    "0591": "fujian",  # 福州
    "0592": "fujian",  # 厦门
    "0593": "fujian",  # 宁德
    "0594": "fujian",  # 莆田
    "0595": "fujian",  # 泉州
    "0596": "fujian",  # 漳州
    "0597": "fujian",  # 龙岩
    "0598": "fujian",  # 三明
    "0599": "fujian",  # 南平
    # Jiangxi
    "0701": "jiangxi",  # 鹰潭
    "0790": "jiangxi",  # 新余
    "0791": "jiangxi",  # 南昌
    "0792": "jiangxi",  # 九江
    "0793": "jiangxi",  # 上饶
    "0794": "jiangxi",  # 抚州
    "0795": "jiangxi",  # 宜春
    "0796": "jiangxi",  # 吉安
    "0797": "jiangxi",  # 赣州
    "0798": "jiangxi",  # 景德镇
    "0799": "jiangxi",  # 萍乡
    # Shandong
    "0530": "shandong",  # 菏泽
    "0531": "shandong",  # 济南
    "0532": "shandong",  # 青岛
    "0533": "shandong",  # 淄博
    "0534": "shandong",  # 德州
    "0535": "shandong",  # 烟台
    "0536": "shandong",  # 潍坊
    "0537": "shandong",  # 济宁
    "0538": "shandong",  # 泰安
    "0539": "shandong",  # 临沂
    "0543": "shandong",  # 滨州
    "0546": "shandong",  # 东营
    "0631": "shandong",  # 威海
    "0632": "shandong",  # 枣庄
    "0633": "shandong",  # 日照
    "0634": "shandong",  # 莱芜 (historic, now part of 济南)
    "0635": "shandong",  # 聊城
    # Henan
    "0370": "henan",  # 商丘
    "0371": "henan",  # 郑州
    "0372": "henan",  # 安阳
    "0373": "henan",  # 新乡
    "0374": "henan",  # 许昌
    "0375": "henan",  # 平顶山
    "0376": "henan",  # 信阳
    "0377": "henan",  # 南阳
    "0378": "henan",  # 开封 (historic, merged into 0371)
    "0379": "henan",  # 洛阳
    "0391": "henan",  # 焦作, 济源
    "0392": "henan",  # 鹤壁
    "0393": "henan",  # 濮阳
    "0394": "henan",  # 周口
    "0395": "henan",  # 漯河
    "0396": "henan",  # 驻马店
    "0398": "henan",  # 三门峡
    # Hubei
    "027": "hubei",  # 武汉
    "0710": "hubei",  # 襄阳
    "0711": "hubei",  # 鄂州
    "0712": "hubei",  # 孝感
    "0713": "hubei",  # 黄冈
    "0714": "hubei",  # 黄石
    "0715": "hubei",  # 咸宁
    "0716": "hubei",  # 荆州
    "0717": "hubei",  # 宜昌
    "0718": "hubei",  # 恩施
    "0719": "hubei",  # 十堰, 神农架
    "0722": "hubei",  # 随州
    "0724": "hubei",  # 荆门
    "0728": "hubei",  # 仙桃, 潜江, 天门
    # Hunan
    "0730": "hunan",  # 岳阳
    "0731": "hunan",  # 长沙, 株洲, 湘潭
    "0732": "hunan",  # 湘潭 (historic, merged into 0731)
    "0733": "hunan",  # 株洲 (historic, merged into 0731)
    "0734": "hunan",  # 衡阳
    "0735": "hunan",  # 郴州
    "0736": "hunan",  # 常德
    "0737": "hunan",  # 益阳
    "0738": "hunan",  # 娄底
    "0739": "hunan",  # 邵阳
    "0743": "hunan",  # 湘西
    "0744": "hunan",  # 张家界
    "0745": "hunan",  # 怀化
    "0746": "hunan",  # 永州
    # Guangdong
    "020": "guangdong",  # 广州
    "0660": "guangdong",  # 汕尾
    "0662": "guangdong",  # 阳江
    "0663": "guangdong",  # 揭阳
    "0668": "guangdong",  # 茂名
    "0750": "guangdong",  # 江门
    "0751": "guangdong",  # 韶关
    "0752": "guangdong",  # 惠州
    "0753": "guangdong",  # 梅州
    "0754": "guangdong",  # 汕头
    "0755": "guangdong",  # 深圳
    "0756": "guangdong",  # 珠海
    "0757": "guangdong",  # 佛山
    "0758": "guangdong",  # 肇庆
    "0759": "guangdong",  # 湛江
    "0760": "guangdong",  # 中山
    "0762": "guangdong",  # 河源
    "0763": "guangdong",  # 清远
    "0766": "guangdong",  # 云浮
    "0768": "guangdong",  # 潮州
    "0769": "guangdong",  # 东莞
    # Guangxi
    "0770": "guangxi",  # 防城港
    "0771": "guangxi",  # 南宁, 崇左
    "0772": "guangxi",  # 柳州, 来宾
    "0773": "guangxi",  # 桂林
    "0774": "guangxi",  # 梧州, 贺州
    "0775": "guangxi",  # 玉林, 贵港
    "0776": "guangxi",  # 百色
    "0777": "guangxi",  # 钦州
    "0778": "guangxi",  # 河池
    "0779": "guangxi",  # 北海
    # Hainan
    "0898": "hainan",  # 全省
    "0890": "hainan",  # 儋州 (historic, merged into 0898)
    "0899": "hainan",  # 三亚 (historic, merged into 0898)
    # Sichuan
    "028": "sichuan",  # 成都, 眉山, 资阳
    "0812": "sichuan",  # 攀枝花
    "0813": "sichuan",  # 自贡
    "0816": "sichuan",  # 绵阳
    "0817": "sichuan",  # 南充
    "0818": "sichuan",  # 达州
    "0825": "sichuan",  # 遂宁
    "0826": "sichuan",  # 广安
    "0827": "sichuan",  # 巴中
    "0830": "sichuan",  # 泸州
    "0831": "sichuan",  # 宜宾
    "0832": "sichuan",  # 内江
    "0833": "sichuan",  # 乐山
    "0834": "sichuan",  # 凉山
    "0835": "sichuan",  # 雅安
    "0836": "sichuan",  # 甘孜
    "0837": "sichuan",  # 阿坝
    "0838": "sichuan",  # 德阳
    "0839": "sichuan",  # 广元
    # Guizhou (whole province unified on 0851 in 2015; old codes kept)
    "0851": "guizhou",  # 贵阳
    "0852": "guizhou",  # 遵义
    "0853": "guizhou",  # 安顺
    "0854": "guizhou",  # 黔南
    "0855": "guizhou",  # 黔东南
    "0856": "guizhou",  # 铜仁
    "0857": "guizhou",  # 毕节
    "0858": "guizhou",  # 六盘水
    "0859": "guizhou",  # 黔西南
    # Yunnan
    "0691": "yunnan",  # 西双版纳
    "0692": "yunnan",  # 德宏
    "0870": "yunnan",  # 昭通
    "0871": "yunnan",  # 昆明
    "0872": "yunnan",  # 大理
    "0873": "yunnan",  # 红河
    "0874": "yunnan",  # 曲靖
    "0875": "yunnan",  # 保山
    "0876": "yunnan",  # 文山
    "0877": "yunnan",  # 玉溪
    "0878": "yunnan",  # 楚雄
    "0879": "yunnan",  # 普洱
    "0883": "yunnan",  # 临沧
    "0886": "yunnan",  # 怒江
    "0887": "yunnan",  # 迪庆
    "0888": "yunnan",  # 丽江
    # Tibet
    "0891": "xizang",  # 拉萨
    "0892": "xizang",  # 日喀则
    "0893": "xizang",  # 山南
    "0894": "xizang",  # 林芝
    "0895": "xizang",  # 昌都
    "0896": "xizang",  # 那曲
    "0897": "xizang",  # 阿里
    # Shaanxi
    "029": "shaanxi",  # 西安, 咸阳
    "0910": "shaanxi",  # 咸阳 (historic, merged into 029)
    "0911": "shaanxi",  # 延安
    "0912": "shaanxi",  # 榆林
    "0913": "shaanxi",  # 渭南
    "0914": "shaanxi",  # 商洛
    "0915": "shaanxi",  # 安康
    "0916": "shaanxi",  # 汉中
    "0917": "shaanxi",  # 宝鸡
    "0919": "shaanxi",  # 铜川
    # Gansu
    "0930": "gansu",  # 临夏
    "0931": "gansu",  # 兰州
    "0932": "gansu",  # 定西
    "0933": "gansu",  # 平凉
    "0934": "gansu",  # 庆阳
    "0935": "gansu",  # 武威, 金昌
    "0936": "gansu",  # 张掖
    "0937": "gansu",  # 酒泉, 嘉峪关
    "0938": "gansu",  # 天水
    "0939": "gansu",  # 陇南
    "0941": "gansu",  # 甘南
    "0943": "gansu",  # 白银
    # Qinghai
    "0970": "qinghai",  # 海北
    "0971": "qinghai",  # 西宁
    "0972": "qinghai",  # 海东
    "0973": "qinghai",  # 黄南
    "0974": "qinghai",  # 海南州
    "0975": "qinghai",  # 果洛
    "0976": "qinghai",  # 玉树
    "0977": "qinghai",  # 海西
    "0979": "qinghai",  # 格尔木
    # Ningxia
    "0951": "ningxia",  # 银川
    "0952": "ningxia",  # 石嘴山
    "0953": "ningxia",  # 吴忠
    "0954": "ningxia",  # 固原
    "0955": "ningxia",  # 中卫
    # Xinjiang
    "0901": "xinjiang",  # 塔城
    "0902": "xinjiang",  # 哈密
    "0903": "xinjiang",  # 和田
    "0906": "xinjiang",  # 阿勒泰
    "0908": "xinjiang",  # 克孜勒苏
    "0909": "xinjiang",  # 博尔塔拉
    "0990": "xinjiang",  # 克拉玛依
    "0991": "xinjiang",  # 乌鲁木齐
    "0992": "xinjiang",  # 奎屯, 独山子
    "0993": "xinjiang",  # 石河子
    "0994": "xinjiang",  # 昌吉, 五家渠
    "0995": "xinjiang",  # 吐鲁番
    "0996": "xinjiang",  # 巴音郭楞
    "0997": "xinjiang",  # 阿克苏, 阿拉尔
    "0998": "xinjiang",  # 喀什, 图木舒克
    "0999": "xinjiang",  # 伊犁
}

_ASCII_DIGITS = frozenset("0123456789")


def normalize_area_code(text: str) -> str | None:
    """Return the canonical city code (with its leading ``0``) or None if ``text`` is not a plausible one.

    Accepts the code with or without its leading zero and with surrounding whitespace: "0755", "755", " 10 " ->
    "0755", "0755", "010". After stripping at most one leading ``0`` the rest must be 2-4 ASCII digits not starting
    with ``0``; so "", "0", "00755" and "07a5" give None. The code need not be in ``PROVINCE_BY_AREA_CODE``.
    """
    code = text.strip()
    if not code or not set(code) <= _ASCII_DIGITS:
        return None
    if code.startswith("0"):
        code = code[1:]
    if not 2 <= len(code) <= 4 or code.startswith("0"):
        return None
    return "0" + code


def province_of(area_code: str) -> str | None:
    """Return the province identifier for a canonical city code ("0755" -> "guangdong"), or None if unknown."""
    return PROVINCE_BY_AREA_CODE.get(area_code)
