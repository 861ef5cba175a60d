#include "bulk/jilin.hpp"

#include <array>

namespace dangan::bulk {
namespace {

constexpr std::array<City, 9> kCities{{
    {"2201", "长春市", "0431"},
    {"2202", "吉林市", "0432"},
    {"2203", "四平市", "0434"},
    {"2204", "辽源市", "0437"},
    {"2205", "通化市", "0435"},
    {"2206", "白山市", "0439"},
    {"2207", "松原市", "0438"},
    {"2208", "白城市", "0436"},
    {"2224", "延边朝鲜族自治州", "0433"},
}};

constexpr const City* kChangchun = &kCities[0];
constexpr const City* kJilin = &kCities[1];
constexpr const City* kSiping = &kCities[2];
constexpr const City* kLiaoyuan = &kCities[3];
constexpr const City* kTonghua = &kCities[4];
constexpr const City* kBaishan = &kCities[5];
constexpr const City* kSongyuan = &kCities[6];
constexpr const City* kBaicheng = &kCities[7];
constexpr const City* kYanbian = &kCities[8];

constexpr std::array<District, 60> kDistricts{{
    {"220102", "南关区", 720, kChangchun},
    {"220103", "宽城区", 730, kChangchun},
    {"220104", "朝阳区", 900, kChangchun},
    {"220105", "二道区", 560, kChangchun},
    {"220106", "绿园区", 870, kChangchun},
    {"220112", "双阳区", 330, kChangchun},
    {"220113", "九台区", 600, kChangchun},
    {"220122", "农安县", 880, kChangchun},
    {"220182", "榆树市", 960, kChangchun},
    {"220183", "德惠市", 680, kChangchun},
    {"220184", "公主岭市", 840, kChangchun},
    {"220202", "昌邑区", 600, kJilin},
    {"220203", "龙潭区", 420, kJilin},
    {"220204", "船营区", 420, kJilin},
    {"220211", "丰满区", 280, kJilin},
    {"220221", "永吉县", 300, kJilin},
    {"220281", "蛟河市", 340, kJilin},
    {"220282", "桦甸市", 340, kJilin},
    {"220283", "舒兰市", 470, kJilin},
    {"220284", "磐石市", 450, kJilin},
    {"220302", "铁西区", 310, kSiping},
    {"220303", "铁东区", 330, kSiping},
    {"220322", "梨树县", 620, kSiping},
    {"220323", "伊通满族自治县", 370, kSiping},
    {"220382", "双辽市", 350, kSiping},
    {"220402", "龙山区", 340, kLiaoyuan},
    {"220403", "西安区", 160, kLiaoyuan},
    {"220421", "东丰县", 330, kLiaoyuan},
    {"220422", "东辽县", 160, kLiaoyuan},
    {"220502", "东昌区", 370, kTonghua},
    {"220503", "二道江区", 110, kTonghua},
    {"220521", "通化县", 200, kTonghua},
    {"220523", "辉南县", 260, kTonghua},
    {"220524", "柳河县", 280, kTonghua},
    {"220581", "梅河口市", 560, kTonghua},
    {"220582", "集安市", 160, kTonghua},
    {"220602", "浑江区", 390, kBaishan},
    {"220605", "江源区", 200, kBaishan},
    {"220621", "抚松县", 240, kBaishan},
    {"220622", "靖宇县", 130, kBaishan},
    {"220623", "长白朝鲜族自治县", 70, kBaishan},
    {"220681", "临江市", 150, kBaishan},
    {"220702", "宁江区", 700, kSongyuan},
    {"220721", "前郭尔罗斯蒙古族自治县", 500, kSongyuan},
    {"220722", "长岭县", 530, kSongyuan},
    {"220723", "乾安县", 250, kSongyuan},
    {"220781", "扶余市", 620, kSongyuan},
    {"220802", "洮北区", 470, kBaicheng},
    {"220821", "镇赉县", 240, kBaicheng},
    {"220822", "通榆县", 300, kBaicheng},
    {"220881", "洮南市", 330, kBaicheng},
    {"220882", "大安市", 330, kBaicheng},
    {"222401", "延吉市", 690, kYanbian},
    {"222402", "图们市", 110, kYanbian},
    {"222403", "敦化市", 430, kYanbian},
    {"222404", "珲春市", 240, kYanbian},
    {"222405", "龙井市", 140, kYanbian},
    {"222406", "和龙市", 140, kYanbian},
    {"222424", "汪清县", 190, kYanbian},
    {"222426", "安图县", 170, kYanbian},
}};

constexpr std::array<Weighted, 80> kSurnames{{
    {"王", 720}, {"李", 700}, {"张", 680}, {"刘", 640}, {"赵", 300}, {"孙", 260}, {"杨", 240}, {"陈", 200}, {"于", 160},
    {"高", 150}, {"徐", 120}, {"马", 120}, {"周", 110}, {"吴", 100}, {"郭", 100}, {"姜", 100}, {"朱", 90},  {"崔", 90},
    {"金", 90},  {"韩", 90},  {"胡", 80},  {"宋", 80},  {"郑", 70},  {"董", 70},  {"何", 60},  {"林", 60},  {"曹", 60},
    {"冯", 60},  {"许", 60},  {"田", 60},  {"黄", 60},  {"范", 50},  {"石", 50},  {"曲", 50},  {"白", 50},  {"付", 50},
    {"吕", 50},  {"任", 50},  {"魏", 50},  {"孟", 50},  {"邓", 40},  {"谢", 40},  {"袁", 40},  {"关", 40},  {"丁", 40},
    {"姚", 40},  {"卢", 40},  {"沈", 40},  {"杜", 40},  {"贾", 40},  {"苏", 40},  {"侯", 40},  {"常", 40},  {"朴", 40},
    {"闫", 40},  {"罗", 40},  {"梁", 40},  {"唐", 40},  {"佟", 30},  {"蒋", 30},  {"邢", 30},  {"尹", 30},  {"安", 30},
    {"薛", 30},  {"段", 30},  {"谷", 30},  {"彭", 30},  {"潘", 30},  {"秦", 30},  {"方", 30},  {"隋", 20},  {"单", 20},
    {"陆", 20},  {"邹", 20},  {"葛", 20},  {"那", 20},  {"修", 10},  {"龙", 10},  {"解", 10},  {"宫", 10},
}};

constexpr std::array<std::string_view, 64> kMaleChars{
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "峰", "建", "国",
    "志", "海", "东", "成", "博", "德", "福", "贵", "生", "庆", "利", "山", "江", "立", "学", "喜",
    "胜", "宝", "铁", "兴", "忠", "洪", "振", "彬", "亮", "锋", "文", "武", "军", "庆", "权", "松"};

constexpr std::array<std::string_view, 56> kFemaleChars{
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "桂", "兰", "萍", "燕", "红", "梅", "琳", "雪",
    "莉", "洁", "婷", "倩", "颖", "慧", "佳", "欣", "悦", "晶", "凤", "丹", "荣", "淑", "珍", "云", "月", "琴", "妍",
    "璐", "蕾", "薇", "楠", "婧", "菲", "怡", "馨", "玉", "华", "春", "霞", "杰", "宏", "晓", "美", "艳", "秋"};

constexpr std::array<std::string_view, 24> kNeutralChars{"文", "明", "晓", "春", "玉", "金", "子", "一",
                                                         "思", "嘉", "雨", "天", "新", "海", "晨", "安",
                                                         "宏", "光", "永", "家", "立", "秀", "志", "云"};

constexpr std::array<std::string_view, 40> kMobilePrefixes{
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"};

constexpr std::array<std::string_view, 30> kRoads{
    "人民大街", "解放大路", "自由大路", "西安大路", "建设街", "新华路",   "东风大街", "繁荣路", "胜利大街", "和平街",
    "长江路",   "黄河路",   "兴华街",   "光明路",   "青年路", "工农大路", "民主街",   "同志街", "临河街",   "南湖大路",
    "北京大街", "重庆路",   "吉林大路", "延安大街", "松江路", "珠江路",   "红旗街",   "卫星路", "前进大街", "东环城路"};

constexpr std::array<std::string_view, 20> kStreets{"东盛", "桃源", "永吉", "南岭", "自强", "民康", "新春",
                                                    "曙光", "鸿城", "全安", "清和", "春城", "正阳", "团山",
                                                    "湖西", "桂林", "前进", "向阳", "站前", "新立"};

constexpr std::array<std::string_view, 32> kTradeNames{
    "华信",   "宏达", "金源",   "恒通", "吉诚", "鑫盛", "永兴", "嘉禾", "瑞丰", "东方", "长白山",
    "松花江", "北方", "新世纪", "天成", "泰和", "中盛", "大地", "丰源", "昌盛", "兴隆", "宏远",
    "博远",   "众合", "联创",   "启明", "富民", "安泰", "德润", "吉元", "通达", "顺达"};

constexpr std::array<std::string_view, 20> kIndustries{
    "机械制造", "汽车零部件", "建筑工程", "商贸",     "食品",     "化工", "医药",     "物流", "电子科技", "农业开发",
    "木业",     "纺织",       "软件",     "餐饮管理", "物业管理", "能源", "酒店管理", "粮油", "建材",     "光电"};

constexpr std::array<std::string_view, 8> kBanks{"工商银行", "农业银行", "中国银行", "建设银行",
                                                 "交通银行", "邮储银行", "吉林银行", "农商银行"};

constexpr std::array<Document, 9> kSocialInsurance{{
    {"社会保险参保登记表", "登记表"},
    {"养老保险缴费基数核定表", "核定表"},
    {"劳动合同", "合同"},
    {"社会保险关系转移接续申请表", "转移材料"},
    {"失业保险待遇申领材料", "待遇材料"},
    {"工伤认定决定书", "认定材料"},
    {"医疗保险参保变更表", "变更表"},
    {"职工养老保险个人账户对账单", "对账单"},
    {"解除劳动合同证明", "证明材料"},
}};

constexpr std::array<Document, 8> kPersonnel{{
    {"干部履历表", "履历材料"},
    {"学历学位证明材料", "学历材料"},
    {"职称评审表", "职称材料"},
    {"工资审批表", "工资材料"},
    {"年度考核登记表", "考核材料"},
    {"入党志愿书", "党团材料"},
    {"奖励审批表", "奖惩材料"},
    {"招工审批表", "录用材料"},
}};

constexpr std::array<Document, 5> kRetirement{{
    {"退休审批表", "审批表"},
    {"视同缴费年限认定材料", "认定材料"},
    {"基本养老金核定表", "核定表"},
    {"退休人员信息采集表", "登记表"},
    {"出生日期认定材料", "认定材料"},
}};

}  // namespace

std::span<const City> Cities() { return kCities; }
std::span<const District> Districts() { return kDistricts; }
std::span<const Weighted> Surnames() { return kSurnames; }
std::span<const std::string_view> MaleNameCharacters() { return kMaleChars; }
std::span<const std::string_view> FemaleNameCharacters() { return kFemaleChars; }
std::span<const std::string_view> NeutralNameCharacters() { return kNeutralChars; }
std::span<const std::string_view> MobilePrefixes() { return kMobilePrefixes; }
std::span<const std::string_view> Roads() { return kRoads; }
std::span<const std::string_view> Streets() { return kStreets; }
std::span<const std::string_view> TradeNames() { return kTradeNames; }
std::span<const std::string_view> Industries() { return kIndustries; }
std::span<const std::string_view> Banks() { return kBanks; }
std::span<const Document> SocialInsuranceDocuments() { return kSocialInsurance; }
std::span<const Document> PersonnelDocuments() { return kPersonnel; }
std::span<const Document> RetirementDocuments() { return kRetirement; }

}  // namespace dangan::bulk
