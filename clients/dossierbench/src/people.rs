//! Realistic applicants and requests: Vietnamese parents in Hải Phòng asking
//! for their child's transfer to another lower-secondary school.

use rand::Rng;
use rand::seq::IndexedRandom as _;

/// Family names with their rough share of the population (per mille).
const FAMILY_NAMES: [(&str, u32); 16] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 40),
    ("Võ", 20),
    ("Đặng", 25),
    ("Bùi", 25),
    ("Đỗ", 25),
    ("Hồ", 15),
    ("Ngô", 20),
    ("Dương", 15),
    ("Lý", 5),
];
const MALE_MIDDLE: [&str; 9] = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Gia", "Hoàng"];
const FEMALE_MIDDLE: [&str; 8] = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Khánh"];
const MALE_GIVEN: [&str; 20] = [
    "An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong", "Quân", "Sơn",
    "Thắng", "Trung", "Tuấn", "Việt", "Vinh",
];
const FEMALE_GIVEN: [&str; 20] = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Nhung",
    "Phương", "Quỳnh", "Thảo", "Trang", "Uyên", "Yến",
];
const STREETS: [&str; 14] = [
    "Lạch Tray",
    "Văn Cao",
    "Trần Nguyên Hãn",
    "Tô Hiệu",
    "Lê Lợi",
    "Đà Nẵng",
    "Hai Bà Trưng",
    "Cầu Đất",
    "Điện Biên Phủ",
    "Trần Phú",
    "Lê Thánh Tông",
    "Nguyễn Văn Linh",
    "Thiên Lôi",
    "Miếu Hai Xã",
];
const WARDS: [&str; 8] = [
    "Đằng Lâm",
    "Lê Chân",
    "Ngô Quyền",
    "Gia Viên",
    "Hồng Bàng",
    "An Biên",
    "Hải An",
    "Kiến An",
];
const SCHOOLS: [&str; 10] = [
    "THCS Chu Văn An",
    "THCS Ngô Quyền",
    "THCS Lê Chân",
    "THCS Trần Phú",
    "THCS Hồng Bàng",
    "THCS Nguyễn Trãi",
    "THCS Lý Tự Trọng",
    "THCS Đằng Lâm",
    "THCS Tô Hiệu",
    "THCS Lương Khánh Thiện",
];
const MOBILE_PREFIXES: [&str; 20] = [
    "090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "070",
    "077", "083", "086", "088",
];
/// Hải Phòng's province code in citizen ID numbers.
const PROVINCE_CODE: &str = "031";

/// A document the applicant brings: name, copy kind (`CopyKind` value) and sets.
pub type Document = (&'static str, i32, i32);

const DOCUMENTS: [Document; 4] = [
    ("Đơn xin chuyển trường", 1, 1),
    ("Học bạ", 1, 1),
    ("Giấy giới thiệu chuyển trường của trường nơi đi", 1, 1),
    ("Bản sao giấy khai sinh", 2, 1),
];

/// An applicant and what they ask.
#[derive(Debug, Clone)]
pub struct Application {
    pub full_name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub email: String,
    pub summary: String,
    pub documents: Vec<Document>,
}

fn family_name(rng: &mut impl Rng) -> &'static str {
    let total: u32 = FAMILY_NAMES.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (name, weight) in FAMILY_NAMES {
        if pick < weight {
            return name;
        }
        pick -= weight;
    }
    FAMILY_NAMES[0].0
}

fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// A person's given part of the name (middle and given names).
fn given(rng: &mut impl Rng, male: bool) -> (&'static str, &'static str) {
    if male {
        (pick(rng, &MALE_MIDDLE), pick(rng, &MALE_GIVEN))
    } else {
        (pick(rng, &FEMALE_MIDDLE), pick(rng, &FEMALE_GIVEN))
    }
}

/// Vietnamese letters without their marks, lower case (for e-mail addresses).
pub fn ascii_fold(text: &str) -> String {
    const GROUPS: [(&str, char); 12] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'e'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'y'),
    ];
    text.chars()
        .filter_map(|c| {
            if c == 'đ' || c == 'Đ' {
                return Some('d');
            }
            if let Some((_, base)) = GROUPS.iter().find(|(group, _)| group.contains(c)) {
                return Some(*base);
            }
            c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// A parent applying for a child's school transfer.
pub fn application(rng: &mut impl Rng) -> Application {
    let family = family_name(rng);
    let male = rng.random_bool(0.45);
    let (middle, name) = given(rng, male);
    let full_name = format!("{family} {middle} {name}");
    let birth_year: u32 = rng.random_range(1975..=1992);
    // CCCD: province, gender and century (0 male, 1 female, 1900s), year, 6 digits.
    let id_number = format!(
        "{PROVINCE_CODE}{}{:02}{:06}",
        if male { 0 } else { 1 },
        birth_year % 100,
        rng.random_range(0..1_000_000u32)
    );
    let digits = rng.random_range(0..10_000_000u32);
    let prefix = pick(rng, &MOBILE_PREFIXES);
    let number = format!("{prefix}{digits:07}");
    let phone = if rng.random_bool(0.5) {
        // Written the way people write it: 0912 345 678.
        format!("{} {} {}", &number[..4], &number[4..7], &number[7..])
    } else {
        number
    };
    let address = if rng.random_bool(0.6) {
        format!(
            "Số {}, ngõ {} {}, phường {}, thành phố Hải Phòng",
            rng.random_range(1..=120),
            rng.random_range(1..=300),
            pick(rng, &STREETS),
            pick(rng, &WARDS)
        )
    } else {
        format!(
            "Số {} {}, phường {}, thành phố Hải Phòng",
            rng.random_range(1..=450),
            pick(rng, &STREETS),
            pick(rng, &WARDS)
        )
    };
    let email = if rng.random_bool(0.25) {
        format!(
            "{}{}{}@gmail.com",
            ascii_fold(name),
            ascii_fold(family),
            birth_year % 100
        )
    } else {
        String::new()
    };
    let child_male = rng.random_bool(0.5);
    let (child_middle, child_name) = given(rng, child_male);
    let from = pick(rng, &SCHOOLS);
    let mut to = pick(rng, &SCHOOLS);
    if to == from {
        to = SCHOOLS[(SCHOOLS.iter().position(|s| *s == from).unwrap_or(0) + 1) % SCHOOLS.len()];
    }
    let summary = format!(
        "Xin chuyển trường cho con {family} {child_middle} {child_name}, lớp {}{}, từ Trường {from} đến Trường {to}",
        rng.random_range(6..=9),
        pick(rng, &["A", "B", "C", "D", "E"]),
    );
    let mut documents = DOCUMENTS.to_vec();
    if rng.random_bool(0.2) {
        // The birth certificate is often already in the pupil's file.
        documents.pop();
    }
    Application {
        full_name,
        id_number,
        phone,
        address,
        email,
        summary,
        documents,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn folds_vietnamese_letters() {
        assert_eq!(ascii_fold("Nguyễn Đức Thắng"), "nguyenducthang");
        assert_eq!(ascii_fold("Quỳnh"), "quynh");
    }

    #[test]
    fn applications_pass_the_servers_checks() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let a = application(&mut rng);
            assert_eq!(a.id_number.len(), 12);
            assert!(a.id_number.chars().all(|c| c.is_ascii_digit()));
            assert!(a.phone.chars().all(|c| c.is_ascii_digit() || c == ' '));
            assert!(
                a.phone.chars().filter(char::is_ascii_digit).count() == 10,
                "{}",
                a.phone
            );
            assert!(a.email.is_empty() || a.email.contains('@'));
            assert!(a.full_name.split(' ').count() == 3);
        }
    }
}
