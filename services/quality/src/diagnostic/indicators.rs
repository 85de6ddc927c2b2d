//! The indicator set shipped with eiso for the ISO 18091 diagnostic: 39
//! indicators in the four quadrants of TCVN ISO 18091:2020 (12 institutional,
//! 7 economic, 12 social, 8 environmental).
//!
//! **Unverified wording.** The quadrants are the standard's; the indicators'
//! titles below are eiso's own short paraphrases of the diagnostic's themes,
//! written without the standard's text at hand. They are not the official
//! wording, nor is the split per quadrant confirmed. Every shipped indicator
//! is stored with `wording_verified = false`: an administrator checks each one
//! against the office's copy of TCVN ISO 18091:2020 and corrects it with
//! UpdateIndicator (which can also take one out of use, or CreateIndicator add
//! one).

use eiso_proto::eiso::quality::v1::Quadrant;

/// One shipped indicator: (quadrant, number, Vietnamese title, English title).
pub struct ShippedIndicator {
    pub quadrant: Quadrant,
    pub number: &'static str,
    pub title: &'static str,
    pub english_title: &'static str,
}

const fn indicator(
    quadrant: Quadrant,
    number: &'static str,
    title: &'static str,
    english_title: &'static str,
) -> ShippedIndicator {
    ShippedIndicator {
        quadrant,
        number,
        title,
        english_title,
    }
}

use Quadrant::{Economic, Environmental, Institutional, Social};

/// The shipped set, by quadrant and number.
pub const SHIPPED: [ShippedIndicator; 39] = [
    indicator(
        Institutional,
        "1.1",
        "Chính quyền có trách nhiệm và chú trọng chất lượng",
        "Responsible, quality-driven administration",
    ),
    indicator(
        Institutional,
        "1.2",
        "Liên kết, hợp tác với các cơ quan, tổ chức khác",
        "Associated and linked with other bodies",
    ),
    indicator(
        Institutional,
        "1.3",
        "Đội ngũ cán bộ, công chức chuyên nghiệp",
        "Professional civil service",
    ),
    indicator(
        Institutional,
        "1.4",
        "Trách nhiệm trong quản lý tài chính",
        "Fiscally responsible",
    ),
    indicator(
        Institutional,
        "1.5",
        "Ứng dụng công nghệ thông tin và kết nối Internet",
        "Uses information technology and is connected",
    ),
    indicator(
        Institutional,
        "1.6",
        "Thúc đẩy sự tham gia của người dân",
        "Promotes citizen participation",
    ),
    indicator(Institutional, "1.7", "Tuân thủ pháp luật", "Upholds the rule of law"),
    indicator(Institutional, "1.8", "Công khai, minh bạch", "Transparent"),
    indicator(Institutional, "1.9", "Tài chính lành mạnh", "Sound public finances"),
    indicator(
        Institutional,
        "1.10",
        "Bảo đảm an ninh, trật tự công cộng",
        "Ensures public safety",
    ),
    indicator(
        Institutional,
        "1.11",
        "Có quy hoạch, kế hoạch phát triển",
        "Plans its development",
    ),
    indicator(
        Institutional,
        "1.12",
        "Thông tin, truyền thông nội bộ và với bên ngoài",
        "Communicates internally and externally",
    ),
    indicator(
        Economic,
        "2.1",
        "Đổi mới các giải pháp phát triển kinh tế",
        "Innovates economic alternatives",
    ),
    indicator(
        Economic,
        "2.2",
        "Phát huy năng lực và tạo việc làm tại địa phương",
        "Promotes local capacities and employment",
    ),
    indicator(
        Economic,
        "2.3",
        "Đào tạo nghề cho người lao động địa phương",
        "Promotes training for local employment",
    ),
    indicator(Economic, "2.4", "Phát triển nông nghiệp", "Promotes agriculture"),
    indicator(
        Economic,
        "2.5",
        "Phát triển công nghiệp, thương mại và dịch vụ",
        "Promotes industry, trade and services",
    ),
    indicator(Economic, "2.6", "Phát triển du lịch", "Promotes tourism"),
    indicator(
        Economic,
        "2.7",
        "Kết nối giao thông và thông tin liên lạc",
        "Connected by transport and communications",
    ),
    indicator(
        Social,
        "3.1",
        "Cung cấp dịch vụ công cơ bản",
        "Provides basic public services",
    ),
    indicator(Social, "3.2", "Thúc đẩy bình đẳng giới", "Promotes gender equality"),
    indicator(
        Social,
        "3.3",
        "Hỗ trợ người dân có nguy cơ bị tổn thương",
        "Supports people at social risk",
    ),
    indicator(Social, "3.4", "Chăm sóc sức khỏe nhân dân", "Promotes health"),
    indicator(Social, "3.5", "Giáo dục có chất lượng", "Promotes quality education"),
    indicator(Social, "3.6", "Nhà ở", "Promotes decent housing"),
    indicator(Social, "3.7", "Giáo dục ý thức công dân", "Builds citizenship"),
    indicator(
        Social,
        "3.8",
        "Thể dục, thể thao và vui chơi giải trí",
        "Promotes sport and recreation",
    ),
    indicator(Social, "3.9", "Văn hóa và di sản", "Promotes culture and heritage"),
    indicator(
        Social,
        "3.10",
        "Bình đẳng dân tộc và xã hội",
        "Promotes ethnic and social equality",
    ),
    indicator(Social, "3.11", "Phát triển thanh niên", "Promotes youth development"),
    indicator(
        Social,
        "3.12",
        "Chăm lo người cao tuổi và người khuyết tật",
        "Cares for older people and people with disabilities",
    ),
    indicator(
        Environmental,
        "4.1",
        "Bảo vệ chất lượng không khí",
        "Cares for air quality",
    ),
    indicator(Environmental, "4.2", "Quản lý chất thải", "Manages its waste"),
    indicator(Environmental, "4.3", "Giữ gìn cảnh quan", "Cares for its landscape"),
    indicator(
        Environmental,
        "4.4",
        "Bảo vệ tài nguyên thiên nhiên",
        "Protects natural resources",
    ),
    indicator(
        Environmental,
        "4.5",
        "Quy hoạch và sử dụng đất hợp lý",
        "Orders its land use",
    ),
    indicator(
        Environmental,
        "4.6",
        "Quản lý tài nguyên nước",
        "Manages water responsibly",
    ),
    indicator(Environmental, "4.7", "Bảo vệ đất", "Cares for the soil"),
    indicator(
        Environmental,
        "4.8",
        "Giáo dục về môi trường",
        "Promotes environmental education",
    ),
];

/// The indicator's code in its resource name: `1.10` → `1-10`.
pub fn code(number: &str) -> String {
    number.replace('.', "-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn the_set_has_39_indicators_in_four_quadrants_with_unique_numbers() {
        let count = |q: Quadrant| SHIPPED.iter().filter(|i| i.quadrant == q).count();
        assert_eq!(
            [
                count(Institutional),
                count(Economic),
                count(Social),
                count(Environmental)
            ],
            [12, 7, 12, 8]
        );
        let mut numbers: Vec<_> = SHIPPED.iter().map(|i| i.number).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 39);
        for i in &SHIPPED {
            let quadrant = i.number.split('.').next().and_then(|q| q.parse::<i32>().ok());
            assert_eq!(
                quadrant,
                Some(i.quadrant as i32),
                "{} is numbered in its quadrant",
                i.number
            );
            assert_eq!(i.title.nfc().collect::<String>(), i.title, "{} is NFC", i.number);
            assert!(eiso_platform::aip::names::valid_id(&code(i.number)));
        }
    }
}
