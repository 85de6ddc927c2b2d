//! What the procedures service's catalogue table problems mean, in
//! Vietnamese: the service describes each refused cell in English (the API's
//! language) and the administration page says it to the person who typed
//! the table, keeping the values it quotes (`…`) so the cell can be found.

/// The values a description quotes between backticks, in order.
fn quoted(description: &str) -> Vec<&str> {
    description.split('`').skip(1).step_by(2).collect()
}

/// The first number in `text`.
fn number(text: &str) -> Option<&str> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The list after `prefix` up to `;` (a header problem's columns), as written.
fn columns_after(description: &str, prefix: &str) -> Option<String> {
    let at = description.find(prefix)? + prefix.len();
    let rest = &description[at..];
    let list = &rest[..rest.find(';').unwrap_or(rest.len())];
    Some(
        quoted(list)
            .iter()
            .map(|c| format!("“{c}”"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The accepted values a description lists after the one refused.
fn one_of(quoted: &[&str]) -> String {
    if quoted.len() < 2 {
        return String::new();
    }
    let values: Vec<String> = quoted[1..].iter().map(|v| format!("“{v}”")).collect();
    format!(" Viết một trong: {}.", values.join(", "))
}

/// One problem of a cell, of the table's header, or of the file, in Vietnamese.
pub fn say(description: &str) -> String {
    let d = description.trim();
    let q = quoted(d);
    let first = q.first().copied().unwrap_or_default();
    // A line of a multi-line cell: "line 3: …".
    if let Some(rest) = d.strip_prefix("line ")
        && let Some((line, problem)) = rest.split_once(": ")
        && line.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("Dòng {line} trong ô: {}", say(problem));
    }
    if d.starts_with("the header row is not the catalogue's") {
        let mut said = vec!["Dòng tiêu đề không đúng mẫu danh mục.".to_string()];
        if let Some(columns) = columns_after(d, "unknown columns ") {
            said.push(format!("Cột không có trong mẫu: {columns}."));
        }
        if let Some(columns) = columns_after(d, "missing required columns ") {
            said.push(format!("Thiếu cột bắt buộc: {columns}."));
        }
        if let Some(columns) = columns_after(d, "columns given twice ") {
            said.push(format!("Cột có hai lần: {columns}."));
        }
        said.push("Tải bảng mẫu (nút “Xuất danh mục”) để xem đủ các cột.".into());
        return said.join(" ");
    }
    if d == "is required" {
        "Bắt buộc phải có.".to_string()
    } else if d.starts_with("is longer than") {
        format!("Dài quá {} ký tự.", number(d).unwrap_or_default())
    } else if d.contains("control characters") {
        "Có ký tự điều khiển (ký tự ẩn): gõ lại ô này.".into()
    } else if d.contains("is not a national procedure code") {
        format!(
            "“{first}” không phải mã thủ tục quốc gia: chữ số, chữ in hoa và dấu chấm, ví dụ 2.002481 hoặc 1.001234.000.00.00.H31."
        )
    } else if d.contains("was stored by Excel as a number") {
        "Excel lưu mã này dạng số nên mất chữ số: định dạng cột là Văn bản (Text) rồi gõ lại mã.".into()
    } else if d.starts_with("unknown level") {
        format!("Không có cấp thực hiện “{first}”.{}", one_of(&q))
    } else if d.starts_with("unknown supplement mode") {
        format!("Không có cách tính thời hạn khi bổ sung “{first}”.{}", one_of(&q))
    } else if d.starts_with("unknown online-service level") {
        format!("Không có mức dịch vụ công trực tuyến “{first}”.{}", one_of(&q))
    } else if d.starts_with("unknown copy kind") {
        format!("Không có loại bản “{first}”.{}", one_of(&q))
    } else if d.contains("is not a") && d.contains(" name (expected `") {
        format!(
            "“{first}” không phải tên tài nguyên hợp lệ (ví dụ {}).",
            q.get(1).copied().unwrap_or_default()
        )
    } else if d.starts_with("must be between 1 and") && d.ends_with("working days") {
        format!(
            "Thời hạn giải quyết từ 1 đến {} ngày làm việc.",
            number(&d["must be between 1".len()..]).unwrap_or_default()
        )
    } else if d.starts_with("must be between 1 and") && d.ends_with("working hours") {
        format!(
            "Thời hạn giải quyết từ 1 đến {} giờ làm việc.",
            number(&d["must be between 1".len()..]).unwrap_or_default()
        )
    } else if d.starts_with("must be between") {
        let bounds: Vec<&str> = d
            .split(' ')
            .filter(|w| w.bytes().all(|b| b.is_ascii_digit()) && !w.is_empty())
            .collect();
        format!(
            "Phải từ {} đến {}.",
            bounds.first().unwrap_or(&""),
            bounds.get(1).unwrap_or(&"")
        )
    } else if d.contains("is not a processing time") {
        format!(
            "“{first}” không phải thời hạn giải quyết: viết số ngày hoặc giờ làm việc, ví dụ “15 ngày làm việc” hoặc “8 giờ làm việc”."
        )
    } else if d.starts_with("write a step's time in working hours") {
        format!("Thời gian của bước tính bằng giờ làm việc: viết “{first}”.")
    } else if d.contains("is not a whole number of working hours") {
        format!("“{first}” không phải số giờ làm việc, ví dụ “4 giờ”.")
    } else if d.starts_with("a step takes at most") {
        format!("Một bước tối đa {} giờ làm việc.", number(d).unwrap_or_default())
    } else if d.contains("the step's name is missing") || d == "expected `Tên bước | Người thực hiện | 4 giờ`"
    {
        "Mỗi dòng một bước: “Tên bước | Người thực hiện | 4 giờ”.".into()
    } else if d.contains("the document's name is missing") || d == "expected `Tên giấy tờ | Bản chính | 1 bộ`"
    {
        "Mỗi dòng một giấy tờ: “Tên giấy tờ | Bản chính | 1 bộ”.".into()
    } else if d.starts_with("the number of sets must be between") {
        format!(
            "Số bộ từ 1 đến {}.",
            number(&d["the number of sets must be between 1".len()..]).unwrap_or_default()
        )
    } else if d.contains("is not a number of sets") {
        format!("“{first}” không phải số bộ, ví dụ “1 bộ”.")
    } else if d.starts_with("the amount") && d.ends_with("is negative") || d == "must not be negative" {
        "Số tiền không được âm.".into()
    } else if d.starts_with("the amount") && d.ends_with("is too large") {
        format!("Số tiền “{first}” quá lớn.")
    } else if d.contains("is not a whole amount in đồng") {
        format!("“{first}” không phải số tiền tròn đồng: nhóm hàng nghìn bằng dấu chấm, ví dụ “1.500.000 đồng”.")
    } else if d.contains("is not an amount in đồng") {
        format!("“{first}” không phải số tiền, ví dụ “50.000 đồng”.")
    } else if d.contains("the fee's description is missing") || d == "expected `Mô tả | 50.000 đồng`" {
        "Mỗi dòng một khoản: “Mô tả | 50.000 đồng”.".into()
    } else if d.starts_with("has more than") && d.ends_with("lines") {
        format!("Ô có quá {} dòng.", number(d).unwrap_or_default())
    } else if d.starts_with("has ") && d.contains("entries; at most") {
        format!(
            "Quá nhiều mục: tối đa {}.",
            number(&d[d.find("at most").unwrap_or(0)..]).unwrap_or_default()
        )
    } else if d.starts_with("procedure ") && d.contains(" is already on row ") {
        format!(
            "Thủ tục đã có ở dòng {} phía trên.",
            number(&d[d.find("on row").unwrap_or(0)..]).unwrap_or_default()
        )
    } else if let Some(rest) = d.strip_prefix("the steps add up to ") {
        let total = number(rest).unwrap_or_default();
        let budget = rest
            .split_once("the processing time is ")
            .and_then(|(_, b)| number(b))
            .unwrap_or_default();
        let unit = if rest.contains("working days =") {
            "ngày làm việc"
        } else {
            "giờ làm việc"
        };
        format!(
            "Các bước cộng lại {total} giờ làm việc, khác thời hạn giải quyết {budget} {unit} (một ngày làm việc 8 giờ)."
        )
    } else if d.contains("is outside the units your role covers") {
        "Thủ tục của cơ quan bạn không quản lý: dòng này không được nhập.".into()
    } else if d.ends_with("does not exist") {
        format!("Không có “{}”.", d.trim_end_matches("does not exist").trim())
    } else if d.starts_with("the table is empty") {
        "Bảng trống: dòng đầu phải là tiêu đề các cột.".into()
    } else if d.starts_with("not a CSV file") {
        "Tệp không đọc được như CSV (UTF-8, phân cách bằng dấu phẩy).".into()
    } else if d.starts_with("not an XLSX workbook") {
        "Tệp không phải bảng tính Excel (.xlsx).".into()
    } else if d.starts_with("the file has") && d.contains("bytes; at most") {
        "Tệp quá lớn.".into()
    } else if d.starts_with("the file is damaged or truncated") {
        "Tệp bị hỏng hoặc không đầy đủ.".into()
    } else if d.starts_with("the table format is not set") {
        "Chọn tệp Excel (.xlsx) hoặc CSV (.csv).".into()
    } else if d.contains("at most") || d.contains("compression bomb") || d.contains("unpacks to") {
        format!("Tệp vượt giới hạn an toàn khi đọc ({d}).")
    } else {
        format!("Không hợp lệ ({d}).")
    }
}

#[cfg(test)]
mod tests {
    use super::say;

    #[test]
    fn each_cell_problem_reads_in_vietnamese_with_the_value_it_quotes() {
        for (english, vietnamese) in [
            ("is required", "Bắt buộc phải có."),
            ("is longer than 500 characters", "Dài quá 500 ký tự."),
            (
                "`ba ngày` is not a processing time (write a whole number of working days or hours, e.g. `15 ngày làm việc` or `8 giờ làm việc`)",
                "“ba ngày” không phải thời hạn giải quyết",
            ),
            (
                "must be between 1 and 365 working days",
                "Thời hạn giải quyết từ 1 đến 365 ngày làm việc.",
            ),
            ("must be between 1 and 100", "Phải từ 1 đến 100."),
            (
                "unknown level `tỉnh lỵ` (expected `Cấp tỉnh`, `Cấp huyện`)",
                "Không có cấp thực hiện “tỉnh lỵ”.",
            ),
            (
                "line 2: `1 ngày` is not a whole number of working hours (e.g. `4 giờ`)",
                "Dòng 2 trong ô: “1 ngày” không phải số giờ làm việc",
            ),
            (
                "line 3: write a step's time in working hours: `16 giờ` for 2 working days",
                "Dòng 3 trong ô: Thời gian của bước tính bằng giờ làm việc: viết “16 giờ”.",
            ),
            (
                "the steps add up to 20 working hours but the processing time is 3 working days = 24 working hours at 8 hours a day",
                "Các bước cộng lại 20 giờ làm việc, khác thời hạn giải quyết 3 ngày làm việc",
            ),
            (
                "procedure procedures/2.002481 is already on row 4",
                "Thủ tục đã có ở dòng 4 phía trên.",
            ),
            (
                "`1,5` is not an amount in đồng (e.g. `50.000 đồng`)",
                "“1,5” không phải số tiền",
            ),
            (
                "units/abc is outside the units your role covers: the row is not imported",
                "Thủ tục của cơ quan bạn không quản lý",
            ),
            (
                "the header row is not the catalogue's: unknown columns `Tên TT`; missing required columns `Mã thủ tục`, `Tên thủ tục`; the columns are `Mã thủ tục`, `Tên thủ tục`",
                "Cột không có trong mẫu: “Tên TT”. Thiếu cột bắt buộc: “Mã thủ tục”, “Tên thủ tục”.",
            ),
            (
                "the file is damaged or truncated: bad zip",
                "Tệp bị hỏng hoặc không đầy đủ.",
            ),
        ] {
            let said = say(english);
            assert!(said.contains(vietnamese), "{english}\n→ {said}");
            assert!(!said.contains("Không hợp lệ ("), "{english} is understood: {said}");
        }
    }

    #[test]
    fn a_problem_not_known_is_quoted_rather_than_lost() {
        assert_eq!(say("something new"), "Không hợp lệ (something new).");
    }
}
