//! What the portal checks in a dossier and a progress step: the required
//! fields, the `yyyyMMddHHmmss` dates, the coded values, the nested lists, and
//! which status may follow which.

use chrono::{NaiveDate, TimeZone as _};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde_json::{Map, Value};

/// The checks on one JSON object. Every field named here must be a string
/// when present (`null` counts as absent); fields not named are kept as sent.
pub(crate) struct Rules {
    /// Present and not blank.
    pub(crate) required: &'static [&'static str],
    /// Optional text.
    pub(crate) text: &'static [&'static str],
    /// `yyyyMMddHHmmss` in Vietnam time when present and not empty.
    pub(crate) dates: &'static [&'static str],
    /// One of the listed codes when present and not empty.
    pub(crate) codes: &'static [(&'static str, &'static [&'static str])],
    /// Arrays of objects, each checked with its own rules.
    pub(crate) lists: &'static [(&'static str, &'static Rules)],
}

/// `TrangThaiHoSo`, 1 to 10.
pub(crate) const STATUSES: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// A dossier of `DongBoHoSoMC`.
pub(crate) const DOSSIER: Rules = Rules {
    required: &[
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "ChuHoSo",
        "LoaiDoiTuong",
        "NgayTiepNhan",
        "TrangThaiHoSo",
        "DonViXuLy",
    ],
    text: &[
        "MaLinhVuc",
        "TenLinhVuc",
        "SoBienNhan",
        "MaDoiTuong",
        "SoDienThoai",
        "Email",
        "TrichYeuHoSo",
        "GhiChu",
    ],
    dates: &["NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy"],
    codes: &[
        // citizen, business, agency, other
        ("LoaiDoiTuong", &["1", "2", "3", "4"]),
        ("TrangThaiHoSo", STATUSES),
        // direct, online, postal
        ("HinhThuc", &["0", "1", "2"]),
    ],
    lists: &[
        ("TaiLieuNop", &SUBMITTED_FILE),
        ("DanhSachHoSoBoSung", &SUPPLEMENT),
        ("DanhSachGiayToKetQua", &RESULT_PAPER),
    ],
};

const SUBMITTED_FILE: Rules = Rules {
    required: &["TenTepDinhKem"],
    text: &[],
    dates: &[],
    codes: &[],
    lists: &[],
};

const SUPPLEMENT: Rules = Rules {
    required: &["HoSoBoSungId"],
    text: &[],
    dates: &["NgayHenTraTruoc", "NgayHenTraMoi"],
    codes: &[],
    lists: &[],
};

const RESULT_PAPER: Rules = Rules {
    required: &["TenGiayTo"],
    text: &[],
    dates: &[],
    codes: &[("DuocSoHoa", &["0", "1"])],
    lists: &[],
};

/// A step of `CapNhatTienDoHoSoMC`.
pub(crate) const PROGRESS: Rules = Rules {
    required: &["MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy"],
    text: &["ChucDanh", "PhongBanXuLy", "TrangThai"],
    dates: &["ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"],
    codes: &[],
    lists: &[],
};

/// Checks `object` against `rules`; the error is the portal's message, naming
/// the field (with `at` before it, the path of a nested object).
pub(crate) fn check(object: &Map<String, Value>, rules: &Rules, at: &str) -> Result<(), String> {
    let named = rules.required.iter().chain(rules.text).chain(rules.dates);
    for field in named.chain(rules.codes.iter().map(|(field, _)| field)) {
        text(object, field, at)?;
    }
    for field in rules.required {
        if text(object, field, at)?.is_none_or(|value| value.trim().is_empty()) {
            return Err(format!("Thiếu trường bắt buộc {at}{field}"));
        }
    }
    for field in rules.dates {
        if let Some(value) = filled(object, field, at)?
            && parse_time(value).is_none()
        {
            return Err(format!(
                "Trường {at}{field} không đúng định dạng ngày giờ yyyyMMddHHmmss: \"{value}\""
            ));
        }
    }
    for (field, allowed) in rules.codes {
        if let Some(value) = filled(object, field, at)?
            && !allowed.contains(&value)
        {
            return Err(format!(
                "Trường {at}{field} có giá trị không hợp lệ: \"{value}\" (cho phép: {})",
                allowed.join(", ")
            ));
        }
    }
    for (field, item_rules) in rules.lists {
        match object.get(*field) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    let item = item
                        .as_object()
                        .ok_or_else(|| format!("Trường {at}{field}[{index}] phải là một đối tượng"))?;
                    check(item, item_rules, &format!("{at}{field}[{index}]."))?;
                }
            }
            Some(_) => return Err(format!("Trường {at}{field} phải là danh sách")),
        }
    }
    Ok(())
}

/// A field's text: `None` when absent or `null`, refused when not a string.
pub(crate) fn text<'a>(object: &'a Map<String, Value>, field: &str, at: &str) -> Result<Option<&'a str>, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(format!("Trường {at}{field} phải là chuỗi ký tự")),
    }
}

/// A field's text when present and not empty.
fn filled<'a>(object: &'a Map<String, Value>, field: &str, at: &str) -> Result<Option<&'a str>, String> {
    Ok(text(object, field, at)?.filter(|value| !value.is_empty()))
}

/// A portal date-time: exactly 14 digits `yyyyMMddHHmmss` naming a moment
/// that exists in Vietnam time.
pub(crate) fn parse_time(value: &str) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    if value.len() != 14 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let number = |from: usize, to: usize| value.get(from..to)?.parse::<u32>().ok();
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(4, 6)?, number(6, 8)?)?;
    let local = date.and_hms_opt(number(8, 10)?, number(10, 12)?, number(12, 14)?)?;
    Ho_Chi_Minh.from_local_datetime(&local).single()
}

/// Whether a dossier may go from status `from` to status `to` (both 1 to 10):
/// freely among 1, 2, 4, 5, 6 and from them into 3, 7, 8, 9, 10; from 9 only
/// to 10; 3, 7, 8 and 10 are final. Staying in a status is always allowed.
pub(crate) fn transition_allowed(from: u8, to: u8) -> bool {
    if from == to {
        return true;
    }
    match from {
        3 | 7 | 8 | 10 => false,
        9 => to == 10,
        _ => true,
    }
}

/// The portal's name of a status, for messages.
pub(crate) fn status_name(status: u8) -> &'static str {
    match status {
        1 => "Mới đăng ký",
        2 => "Được tiếp nhận",
        3 => "Không được tiếp nhận",
        4 => "Đang xử lý",
        5 => "Yêu cầu bổ sung giấy tờ",
        6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
        7 => "Công dân yêu cầu rút hồ sơ",
        8 => "Dừng xử lý",
        9 => "Đã xử lý xong",
        10 => "Đã trả kết quả",
        _ => "không xác định",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn a_portal_time_is_fourteen_digits_of_a_real_moment() {
        let time = parse_time("20240229235959").expect("a leap day");
        assert_eq!(time.to_rfc3339(), "2024-02-29T23:59:59+07:00");
        for refused in [
            "20230229120000", // not a leap year
            "20241301120000", // month 13
            "20240101240000", // hour 24
            "20240101126000", // minute 60
            "2024010112000",  // 13 digits
            "202401011200000",
            "2024-01-01 12:0",
            "２０２４０１０１１２００００", // full-width digits
            "",
        ] {
            assert!(parse_time(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn final_statuses_stay_final_and_completed_only_goes_to_returned() {
        for from in [3, 7, 8, 10] {
            for to in 1..=10 {
                assert_eq!(transition_allowed(from, to), from == to, "{from} -> {to}");
            }
        }
        for to in 1..=10 {
            assert_eq!(transition_allowed(9, to), to == 9 || to == 10, "9 -> {to}");
        }
        for from in [1, 2, 4, 5, 6] {
            for to in 1..=10 {
                assert!(transition_allowed(from, to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn a_nested_date_is_named_with_its_path() {
        let dossier = object(json!({
            "MaHoSo": "H1", "MaTTHC": "1.0001", "TenTTHC": "x", "ChuHoSo": "A", "LoaiDoiTuong": "1",
            "NgayTiepNhan": "20250102080000", "TrangThaiHoSo": "2", "DonViXuLy": "UBND",
            "DanhSachHoSoBoSung": [{"HoSoBoSungId": "B1", "NgayHenTraMoi": "20250230080000"}]
        }));
        let message = check(&dossier, &DOSSIER, "").expect_err("30 February");
        assert!(message.contains("DanhSachHoSoBoSung[0].NgayHenTraMoi"), "{message}");
    }

    #[test]
    fn a_number_where_text_is_expected_is_refused() {
        let step = object(json!({"MaHoSo": 7, "NguoiXuLy": "B", "ThoiDiemXuLy": "20250102080000", "NoiDungXuLy": "c"}));
        assert_eq!(
            check(&step, &PROGRESS, ""),
            Err("Trường MaHoSo phải là chuỗi ký tự".to_owned())
        );
    }
}
