use calamine::Reader;
use eiso_proto::eiso::procedures::v1::{
    CopyKind, Fee, ImportRowError, OnlineLevel, ProcedureLevel, ProcedureStep, ProcedureVersion, ProcessingTime,
    RequiredDocument, SupplementMode, TableFormat, processing_time::Budget,
};
use unicode_normalization::UnicodeNormalization;

use super::cells::*;
use super::columns::*;
use super::write::row_cells;
use super::*;

const RECEIVER: &str = "Bộ phận một cửa - Trung tâm Phục vụ hành chính công xã";
const OFFICER: &str = "Công chức Phòng Văn hóa - Xã hội";
const HEAD: &str = "Lãnh đạo Phòng Văn hóa - Xã hội";
const CHAIR: &str = "Lãnh đạo UBND xã";
const AGENCY: &str = "units/replace-me";

const EDUCATION_LAW: &str = "Luật Giáo dục số 43/2019/QH14";
const DECREE_142: &str = "Nghị định số 142/2025/NĐ-CP của Chính phủ quy định về phân định thẩm quyền của chính quyền \
                          địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Giáo dục và Đào tạo";
const DECREE_125: &str =
    "Nghị định số 125/2024/NĐ-CP của Chính phủ quy định về điều kiện đầu tư và hoạt động trong lĩnh vực giáo dục";

fn step(name: &str, handler: &str, working_hours: i32) -> ProcedureStep {
    ProcedureStep {
        display_name: name.to_string(),
        handler: handler.to_string(),
        working_hours,
    }
}

fn document(name: &str, kind: CopyKind, sets: i32) -> RequiredDocument {
    RequiredDocument {
        display_name: name.to_string(),
        copy_kind: kind as i32,
        sets,
    }
}

/// The usual four steps of a commune procedure over `days` working days.
fn steps(days: i32, decided_by: &str) -> Vec<ProcedureStep> {
    let total = days * 8;
    let review = total - 2 - 4 - 2;
    vec![
        step("Tiếp nhận, kiểm tra và chuyển hồ sơ", RECEIVER, 2),
        step("Thẩm định hồ sơ, dự thảo kết quả", OFFICER, review),
        step("Xem xét, ký duyệt", decided_by, 4),
        step("Vào sổ, đóng dấu và trả kết quả", RECEIVER, 2),
    ]
}

struct Procedure {
    code: &'static str,
    name: &'static str,
    field: &'static str,
    budget: Budget,
    mode: SupplementMode,
    steps: Vec<ProcedureStep>,
    documents: Vec<RequiredDocument>,
    legal_basis: Vec<&'static str>,
    online: OnlineLevel,
    process_document: &'static str,
}

impl Procedure {
    fn row(self) -> CatalogueRow {
        CatalogueRow {
            code: self.code.to_string(),
            version: ProcedureVersion {
                display_name: self.name.to_string(),
                field: self.field.to_string(),
                level: ProcedureLevel::Commune as i32,
                agency: AGENCY.to_string(),
                processing_time: Some(ProcessingTime {
                    budget: Some(self.budget),
                }),
                supplement_mode: self.mode as i32,
                steps: self.steps,
                required_documents: self.documents,
                fees: Vec::new(),
                legal_basis: self.legal_basis.into_iter().map(str::to_string).collect(),
                online_level: self.online as i32,
                process_document: self.process_document.to_string(),
                ..ProcedureVersion::default()
            },
        }
    }
}

/// `2.002481`, lower-secondary school transfer: 3 working days, steps of 24 hours, no fee.
fn school_transfer() -> CatalogueRow {
    Procedure {
        code: "2.002481",
        name: "Chuyển trường đối với học sinh trung học cơ sở",
        field: "Giáo dục trung học",
        budget: Budget::WorkingDays(3),
        mode: SupplementMode::Restart,
        steps: steps(3, HEAD),
        documents: vec![
            document(
                "Đơn xin chuyển trường do cha mẹ hoặc người giám hộ ký",
                CopyKind::Original,
                1,
            ),
            document("Học bạ", CopyKind::Original, 1),
            document(
                "Giấy giới thiệu chuyển trường do Hiệu trưởng nhà trường nơi đi cấp",
                CopyKind::Original,
                1,
            ),
            document("Giấy khai sinh", CopyKind::CertifiedCopy, 1),
        ],
        legal_basis: vec![
            EDUCATION_LAW,
            "Thông tư số 50/2021/TT-BGDĐT của Bộ trưởng Bộ Giáo dục và Đào tạo sửa đổi, bổ sung Quy định về chuyển \
             trường và tiếp nhận học sinh học tại trường trung học cơ sở và trường trung học phổ thông",
            DECREE_142,
        ],
        online: OnlineLevel::Partial,
        process_document: "documents/qt-gd-01",
    }
    .row()
}

/// A dozen education procedures of a commune's Culture and Society office (which took over
/// the district Education offices' procedures on 1 July 2025). Only `2.002481` is a code
/// checked against the national database; the others are illustrative.
fn sample_catalogue() -> Vec<CatalogueRow> {
    let school_rules = |level: &'static str| match level {
        "tiểu học" => "Thông tư số 28/2020/TT-BGDĐT ban hành Điều lệ Trường tiểu học",
        "mầm non" => "Thông tư số 52/2020/TT-BGDĐT ban hành Điều lệ Trường mầm non",
        _ => {
            "Thông tư số 32/2020/TT-BGDĐT ban hành Điều lệ trường trung học cơ sở, trường trung học phổ thông và \
              trường phổ thông có nhiều cấp học"
        }
    };
    let founding_documents = |kind: &str| {
        vec![
            document(
                &format!("Tờ trình đề nghị thành lập hoặc cho phép thành lập {kind}"),
                CopyKind::Original,
                1,
            ),
            document(&format!("Đề án thành lập {kind}"), CopyKind::Original, 1),
            document(
                "Văn bản xác nhận về quyền sử dụng đất hoặc hợp đồng thuê đất, thuê nhà",
                CopyKind::OriginalOrCertified,
                1,
            ),
            document("Bản vẽ thiết kế mặt bằng tổng thể", CopyKind::Photocopy, 1),
        ]
    };
    let operating_documents = |kind: &str| {
        vec![
            document(
                &format!("Tờ trình đề nghị cho phép {kind} hoạt động giáo dục"),
                CopyKind::Original,
                1,
            ),
            document(
                &format!("Quyết định thành lập hoặc cho phép thành lập {kind}"),
                CopyKind::CertifiedCopy,
                1,
            ),
            document(
                "Danh sách cán bộ quản lý, giáo viên, nhân viên kèm bản sao văn bằng",
                CopyKind::Photocopy,
                1,
            ),
            document("Quy chế tổ chức và hoạt động", CopyKind::Original, 1),
        ]
    };
    vec![
        school_transfer(),
        Procedure {
            code: "1.005099",
            name: "Chuyển trường đối với học sinh tiểu học",
            field: "Giáo dục tiểu học",
            budget: Budget::WorkingDays(3),
            mode: SupplementMode::Restart,
            steps: steps(3, HEAD),
            documents: vec![
                document(
                    "Đơn đề nghị chuyển trường của cha mẹ hoặc người giám hộ",
                    CopyKind::Original,
                    1,
                ),
                document("Học bạ", CopyKind::Original, 1),
                document("Giấy giới thiệu chuyển trường của trường nơi đi", CopyKind::Original, 1),
            ],
            legal_basis: vec![EDUCATION_LAW, school_rules("tiểu học"), DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-02",
        }
        .row(),
        Procedure {
            code: "1.004438",
            name: "Tiếp nhận học sinh trung học cơ sở Việt Nam về nước",
            field: "Giáo dục trung học",
            budget: Budget::WorkingDays(5),
            mode: SupplementMode::Restart,
            steps: steps(5, HEAD),
            documents: vec![
                document("Đơn xin học của cha mẹ hoặc người giám hộ", CopyKind::Original, 1),
                document(
                    "Hồ sơ học tập ở nước ngoài, dịch sang tiếng Việt",
                    CopyKind::CertifiedCopy,
                    1,
                ),
                document(
                    "Giấy tờ chứng nhận về nước của cơ quan có thẩm quyền",
                    CopyKind::Photocopy,
                    1,
                ),
            ],
            legal_basis: vec![EDUCATION_LAW, school_rules("trung học cơ sở"), DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-03",
        }
        .row(),
        Procedure {
            code: "1.004555",
            name: "Thành lập trường tiểu học công lập, cho phép thành lập trường tiểu học tư thục",
            field: "Giáo dục tiểu học",
            budget: Budget::WorkingDays(20),
            mode: SupplementMode::Pause,
            steps: vec![
                step("Tiếp nhận, kiểm tra và chuyển hồ sơ", RECEIVER, 4),
                step("Thẩm định hồ sơ, kiểm tra thực tế", OFFICER, 120),
                step("Trình Chủ tịch UBND xã quyết định", HEAD, 16),
                step("Xem xét, ký quyết định", CHAIR, 16),
                step("Vào sổ, đóng dấu và trả kết quả", RECEIVER, 4),
            ],
            documents: founding_documents("trường tiểu học"),
            legal_basis: vec![EDUCATION_LAW, DECREE_125, DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-04",
        }
        .row(),
        Procedure {
            code: "1.004563",
            name: "Cho phép trường tiểu học hoạt động giáo dục",
            field: "Giáo dục tiểu học",
            budget: Budget::WorkingDays(20),
            mode: SupplementMode::Pause,
            steps: steps(20, CHAIR),
            documents: operating_documents("trường tiểu học"),
            legal_basis: vec![EDUCATION_LAW, DECREE_125, school_rules("tiểu học"), DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-05",
        }
        .row(),
        Procedure {
            code: "1.004494",
            name: "Thành lập trường mầm non công lập, cho phép thành lập trường mầm non dân lập, tư thục",
            field: "Giáo dục mầm non",
            budget: Budget::WorkingDays(20),
            mode: SupplementMode::Pause,
            steps: vec![
                step("Tiếp nhận, kiểm tra và chuyển hồ sơ", RECEIVER, 4),
                step("Thẩm định hồ sơ, kiểm tra thực tế", OFFICER, 120),
                step("Trình Chủ tịch UBND xã quyết định", HEAD, 16),
                step("Xem xét, ký quyết định", CHAIR, 16),
                step("Vào sổ, đóng dấu và trả kết quả", RECEIVER, 4),
            ],
            documents: founding_documents("trường mầm non"),
            legal_basis: vec![EDUCATION_LAW, DECREE_125, DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-06",
        }
        .row(),
        Procedure {
            code: "1.004492",
            name: "Cho phép trường mầm non hoạt động giáo dục",
            field: "Giáo dục mầm non",
            budget: Budget::WorkingDays(20),
            mode: SupplementMode::Pause,
            steps: steps(20, CHAIR),
            documents: operating_documents("trường mầm non"),
            legal_basis: vec![EDUCATION_LAW, DECREE_125, school_rules("mầm non"), DECREE_142],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-07",
        }
        .row(),
        Procedure {
            code: "1.004496",
            name: "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục",
            field: "Giáo dục mầm non",
            budget: Budget::WorkingDays(15),
            mode: SupplementMode::Restart,
            steps: steps(15, CHAIR),
            documents: vec![
                document("Tờ trình đề nghị cho phép hoạt động giáo dục", CopyKind::Original, 1),
                document(
                    "Danh sách người chăm sóc, giáo dục trẻ kèm bản sao văn bằng",
                    CopyKind::Photocopy,
                    1,
                ),
                document(
                    "Văn bản về quyền sử dụng đất hoặc hợp đồng thuê nhà",
                    CopyKind::OriginalOrCertified,
                    1,
                ),
            ],
            legal_basis: vec![EDUCATION_LAW, DECREE_125, DECREE_142],
            online: OnlineLevel::Full,
            process_document: "documents/qt-gd-08",
        }
        .row(),
        Procedure {
            code: "1.004443",
            name: "Sáp nhập, chia, tách trường trung học cơ sở",
            field: "Giáo dục trung học",
            budget: Budget::WorkingDays(20),
            mode: SupplementMode::Pause,
            steps: steps(20, CHAIR),
            documents: vec![
                document("Tờ trình đề nghị sáp nhập, chia, tách trường", CopyKind::Original, 1),
                document("Đề án sáp nhập, chia, tách trường", CopyKind::Original, 1),
                document(
                    "Ý kiến bằng văn bản của các cơ quan có liên quan",
                    CopyKind::Photocopy,
                    1,
                ),
            ],
            legal_basis: vec![EDUCATION_LAW, DECREE_125, school_rules("trung học cơ sở"), DECREE_142],
            online: OnlineLevel::Information,
            process_document: "documents/qt-gd-09",
        }
        .row(),
        Procedure {
            code: "2.001809",
            name: "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
            field: "Văn bằng, chứng chỉ",
            budget: Budget::WorkingHours(8),
            mode: SupplementMode::Restart,
            steps: vec![
                step("Tiếp nhận hồ sơ", RECEIVER, 1),
                step("Đối chiếu sổ gốc, lập bản sao", OFFICER, 4),
                step("Ký bản sao", HEAD, 2),
                step("Trả kết quả", RECEIVER, 1),
            ],
            documents: vec![
                document(
                    "Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                    CopyKind::Original,
                    1,
                ),
                document(
                    "Căn cước hoặc giấy tờ tùy thân còn giá trị sử dụng",
                    CopyKind::Photocopy,
                    1,
                ),
            ],
            legal_basis: vec![
                "Thông tư số 21/2019/TT-BGDĐT ban hành Quy chế quản lý bằng tốt nghiệp trung học cơ sở, bằng tốt \
                 nghiệp trung học phổ thông, văn bằng giáo dục đại học và chứng chỉ của hệ thống giáo dục quốc dân",
                DECREE_142,
            ],
            online: OnlineLevel::Full,
            process_document: "documents/qt-gd-10",
        }
        .row(),
        Procedure {
            code: "1.005092",
            name: "Chỉnh sửa nội dung văn bằng, chứng chỉ",
            field: "Văn bằng, chứng chỉ",
            budget: Budget::WorkingDays(5),
            mode: SupplementMode::Restart,
            steps: steps(5, HEAD),
            documents: vec![
                document(
                    "Đơn đề nghị chỉnh sửa nội dung văn bằng, chứng chỉ",
                    CopyKind::Original,
                    1,
                ),
                document("Văn bằng, chứng chỉ đề nghị chỉnh sửa", CopyKind::Original, 1),
                document(
                    "Quyết định thay đổi hoặc cải chính hộ tịch",
                    CopyKind::OriginalOrCertified,
                    1,
                ),
                document("Giấy khai sinh", CopyKind::OriginalOrCertified, 1),
            ],
            legal_basis: vec![
                "Thông tư số 21/2019/TT-BGDĐT ban hành Quy chế quản lý bằng tốt nghiệp trung học cơ sở, bằng tốt \
                 nghiệp trung học phổ thông, văn bằng giáo dục đại học và chứng chỉ của hệ thống giáo dục quốc dân",
                DECREE_142,
            ],
            online: OnlineLevel::Partial,
            process_document: "documents/qt-gd-11",
        }
        .row(),
        Procedure {
            code: "1.008950",
            name: "Hỗ trợ ăn trưa đối với trẻ em mẫu giáo",
            field: "Giáo dục mầm non",
            budget: Budget::WorkingDays(10),
            mode: SupplementMode::Restart,
            steps: steps(10, CHAIR),
            documents: vec![
                document("Đơn đề nghị hỗ trợ tiền ăn trưa", CopyKind::Original, 1),
                document(
                    "Giấy tờ chứng minh thuộc đối tượng được hỗ trợ",
                    CopyKind::CertifiedCopy,
                    1,
                ),
            ],
            legal_basis: vec![
                "Nghị định số 105/2020/NĐ-CP quy định chính sách phát triển giáo dục mầm non",
                DECREE_142,
            ],
            online: OnlineLevel::Partial,
            process_document: "",
        }
        .row(),
    ]
}

/// The sample plus rows that exercise the rest of the format: fees with thousands, a long
/// local code, an empty handler, several sets, no online level.
fn catalogue() -> Vec<CatalogueRow> {
    let mut rows = sample_catalogue();
    let mut certified = school_transfer();
    certified.code = "1.001234.000.00.00.H31".to_string();
    certified.version.display_name = "Cấp bản sao có chứng thực học bạ".to_string();
    certified.version.fees = vec![
        Fee {
            description: "Phí cấp bản sao (mỗi bản)".to_string(),
            amount_vnd: 5_000,
        },
        Fee {
            description: "Phí chuyển phát kết quả qua bưu điện".to_string(),
            amount_vnd: 50_000,
        },
        Fee {
            description: "Lệ phí thẩm định".to_string(),
            amount_vnd: 1_500_000,
        },
    ];
    certified.version.steps[3].handler = String::new();
    certified.version.required_documents[1].sets = 2;
    certified.version.online_level = OnlineLevel::Unspecified as i32;
    certified.version.level = ProcedureLevel::Provincial as i32;
    rows.push(certified);
    rows
}

fn ok_rows(parsed: Vec<ParsedRow>) -> Vec<CatalogueRow> {
    parsed
        .into_iter()
        .map(|parsed| match parsed.result {
            Ok(row) => row,
            Err(errors) => panic!("row {} refused: {errors:?}", parsed.row),
        })
        .collect()
}

/// A CSV file written with `delimiter`, without a byte-order mark.
fn csv_file(delimiter: u8, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(header).expect("header");
    for row in rows {
        writer.write_record(row).expect("row");
    }
    writer.into_inner().expect("flush")
}

fn cells_of(row: &CatalogueRow) -> Vec<String> {
    row_cells(row).expect("exportable")
}

fn errors_of(parsed: &ParsedRow) -> &[ImportRowError] {
    match &parsed.result {
        Ok(row) => panic!("row {} accepted: {row:?}", parsed.row),
        Err(errors) => errors,
    }
}

fn columns_of(parsed: &ParsedRow) -> Vec<&str> {
    errors_of(parsed).iter().map(|error| error.column.as_str()).collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn csv_export_round_trips() {
    let rows = catalogue();
    let content = export_csv(&rows).expect("export");
    assert!(
        content.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark for Excel"
    );
    let text = std::str::from_utf8(&content[3..]).expect("UTF-8");
    assert!(
        text.starts_with("Mã TTHC,Tên thủ tục,Lĩnh vực,Cấp thực hiện,"),
        "{}",
        &text[..80]
    );
    assert!(text.contains("\"Phí, lệ phí\""));
    assert!(text.contains("2.002481,Chuyển trường đối với học sinh trung học cơ sở,Giáo dục trung học,Cấp xã,"));
    assert!(text.contains("3 ngày làm việc,Tính lại từ đầu,"));
    assert!(text.contains("\"Tiếp nhận, kiểm tra và chuyển hồ sơ | Bộ phận một cửa"));
    assert!(text.contains("Giấy khai sinh | Bản sao có chứng thực | 1 bộ\""));
    assert!(text.contains("Lệ phí thẩm định | 1.500.000 đồng"));

    let parsed = import(TableFormat::Csv, &content).expect("import");
    let numbers: Vec<i32> = parsed.iter().map(|parsed| parsed.row).collect();
    assert_eq!(
        numbers,
        (2..2 + rows.len() as i32).collect::<Vec<_>>(),
        "one row per record, header = 1"
    );
    assert_eq!(ok_rows(parsed), rows);
}

#[test]
fn xlsx_export_round_trips() {
    let rows = catalogue();
    let content = export_xlsx(&rows).expect("export");
    assert!(content.starts_with(b"PK\x03\x04"));

    let mut workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(content.as_slice())).expect("a workbook");
    assert_eq!(workbook.sheet_names(), ["Thủ tục hành chính", "Hướng dẫn"]);
    let sheet = workbook.worksheet_range_at(0).expect("first sheet").expect("readable");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(header, COLUMNS);
    let guide = workbook.worksheet_range_at(1).expect("second sheet").expect("readable");
    assert_eq!(
        guide.height(),
        COLUMNS.len() + 3,
        "a line per column, a title and a note"
    );

    let parsed = import(TableFormat::Xlsx, &content).expect("import");
    assert_eq!(parsed.first().map(|parsed| parsed.row), Some(2));
    assert_eq!(ok_rows(parsed), rows);
}

#[test]
fn empty_catalogue_exports_a_header_and_imports_to_nothing() {
    let csv = export_csv(&[]).expect("csv");
    assert_eq!(import(TableFormat::Csv, &csv).expect("csv import"), []);
    let xlsx = export_xlsx(&[]).expect("xlsx");
    assert_eq!(import(TableFormat::Xlsx, &xlsx).expect("xlsx import"), []);
}

#[test]
fn csv_with_semicolons_or_tabs_and_without_byte_order_mark_imports() {
    let rows = catalogue();
    let cells: Vec<Vec<String>> = rows.iter().map(cells_of).collect();
    for delimiter in [b';', b',', b'\t'] {
        let content = csv_file(delimiter, COLUMNS, &cells);
        assert!(!content.starts_with(b"\xEF\xBB\xBF"));
        let parsed = import(TableFormat::Csv, &content).expect("import");
        assert_eq!(ok_rows(parsed), rows, "delimiter {}", char::from(delimiter));
    }

    // Excel's "Unicode Text": UTF-16 little-endian with a mark, tab-separated.
    let text = String::from_utf8(csv_file(b'\t', COLUMNS, &cells)).expect("UTF-8");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(ok_rows(import(TableFormat::Csv, &utf16).expect("UTF-16")), rows);
}

#[test]
fn titles_are_matched_by_key_or_title_in_any_case_order_and_normal_form() {
    let row = school_transfer();
    let cells = cells_of(&row);
    // Reversed order; keys in upper case; Vietnamese titles decomposed and in lower case;
    // a row-number column, which is ignored.
    let mut header = vec!["STT".to_string()];
    let mut values = vec!["1".to_string()];
    for (index, title) in COLUMNS.iter().enumerate().rev() {
        header.push(if index % 2 == 0 {
            COLUMN_KEYS[index].to_uppercase()
        } else {
            title.to_lowercase().nfd().collect()
        });
        values.push(cells[index].clone());
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let content = csv_file(b',', &header, &[values]);
    assert_eq!(ok_rows(import(TableFormat::Csv, &content).expect("import")), [row]);
}

#[test]
fn decomposed_text_is_composed() {
    let row = school_transfer();
    let decomposed: Vec<String> = cells_of(&row).iter().map(|cell| cell.nfd().collect()).collect();
    assert_ne!(decomposed[1], row.version.display_name, "the test feeds NFD text");
    let decomposed_header: Vec<String> = COLUMNS.iter().map(|title| title.nfd().collect()).collect();
    let header: Vec<&str> = decomposed_header.iter().map(String::as_str).collect();

    let content = csv_file(b',', &header, std::slice::from_ref(&decomposed));
    let imported = ok_rows(import(TableFormat::Csv, &content).expect("import"));
    assert_eq!(imported, std::slice::from_ref(&row));
    assert_eq!(
        imported[0].version.display_name,
        "Chuyển trường đối với học sinh trung học cơ sở"
    );

    // The same through a workbook typed on a machine that writes NFD.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, value) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *value).expect("title");
    }
    for (column, value) in decomposed.iter().enumerate() {
        sheet.write_string(1, column as u16, value).expect("cell");
    }
    let content = workbook.save_to_buffer().expect("workbook");
    assert_eq!(ok_rows(import(TableFormat::Xlsx, &content).expect("import")), [row]);
}

#[test]
fn bad_rows_are_reported_with_row_and_column_and_the_others_import() {
    let good = cells_of(&school_transfer());
    let with = |column: usize, value: &str, code: &str| {
        let mut cells = good.clone();
        cells[0] = code.to_string();
        cells[column] = value.to_string();
        cells
    };
    let rows = vec![
        // Row 2: good, with multi-line cells (record numbers, not line numbers, count).
        good.clone(),
        // Row 3: a processing time that is not one.
        with(5, "ba ngày", "1.000003"),
        // Row 4: steps of 20 hours for 3 working days.
        with(
            7,
            "Tiếp nhận | Một cửa | 4 giờ\nThẩm định | Chuyên viên | 12 giờ\nTrả kết quả | Một cửa | 4 giờ",
            "1.000004",
        ),
        // Row 5: an unknown copy kind on the second line.
        with(
            8,
            "Đơn xin chuyển trường | Bản chính | 1 bộ\nHọc bạ | Bản nháp | 1 bộ",
            "1.000005",
        ),
        // Row 6: no agency.
        with(4, "", "1.000006"),
        // Row 7: several faults at once.
        {
            let mut cells = with(3, "Cấp thôn", "2,002481");
            cells[9] = "Lệ phí | -50.000 đồng".to_string();
            cells[12] = "QT-01".to_string();
            cells
        },
        // Row 8: good again.
        with(1, "Tiếp nhận học sinh trung học cơ sở Việt Nam về nước", "1.000008"),
    ];
    let parsed = import(TableFormat::Csv, &csv_file(b',', COLUMNS, &rows)).expect("import");
    assert_eq!(
        parsed.iter().map(|parsed| parsed.row).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7, 8]
    );
    assert!(parsed[0].result.is_ok());
    assert!(parsed[6].result.is_ok());

    let time = errors_of(&parsed[1]);
    assert_eq!(
        (time.len(), time[0].row, time[0].column.as_str()),
        (1, 3, "Thời hạn giải quyết")
    );
    assert!(
        time[0].description.contains("`ba ngày` is not a processing time"),
        "{}",
        time[0].description
    );

    let sum = errors_of(&parsed[2]);
    assert_eq!((sum.len(), sum[0].row, sum[0].column.as_str()), (1, 4, "Các bước"));
    assert!(
        sum[0].description.contains("add up to 20 working hours"),
        "{}",
        sum[0].description
    );
    assert!(
        sum[0].description.contains("3 working days = 24 working hours"),
        "{}",
        sum[0].description
    );

    let kind = errors_of(&parsed[3]);
    assert_eq!(
        (kind.len(), kind[0].row, kind[0].column.as_str()),
        (1, 5, "Thành phần hồ sơ")
    );
    assert!(
        kind[0].description.starts_with("line 2: unknown copy kind `Bản nháp`"),
        "{}",
        kind[0].description
    );
    assert!(kind[0].description.contains("`Bản sao có chứng thực`"));

    let agency = errors_of(&parsed[4]);
    assert_eq!(agency.len(), 1);
    assert_eq!(
        (agency[0].row, agency[0].column.as_str(), agency[0].description.as_str()),
        (6, "Cơ quan thực hiện", "is required")
    );

    assert_eq!(
        columns_of(&parsed[5]),
        ["Mã TTHC", "Cấp thực hiện", "Phí, lệ phí", "Quy trình ISO"]
    );
    let several = errors_of(&parsed[5]);
    assert!(several.iter().all(|error| error.row == 7));
    assert!(several[1].description.contains("unknown level `Cấp thôn`"));
    assert!(several[2].description.contains("negative"));
}

#[test]
fn each_required_column_must_be_filled() {
    let good = cells_of(&school_transfer());
    for (index, title) in COLUMNS.iter().enumerate() {
        let mut cells = good.clone();
        cells[index] = " ".to_string();
        let parsed = import(TableFormat::Csv, &csv_file(b',', COLUMNS, &[cells])).expect("import");
        let required = ALL_COLUMNS[index].required();
        match &parsed[0].result {
            Ok(_) => assert!(!required, "{title} is required"),
            Err(errors) => {
                assert!(required, "{title} is optional: {errors:?}");
                assert_eq!(errors.len(), 1);
                assert_eq!(
                    (errors[0].column.as_str(), errors[0].description.as_str()),
                    (*title, "is required")
                );
            }
        }
    }
}

#[test]
fn optional_columns_may_be_left_out() {
    let required: Vec<usize> = (0..COLUMNS.len())
        .filter(|index| ALL_COLUMNS[*index].required())
        .collect();
    let header: Vec<&str> = required.iter().map(|index| COLUMNS[*index]).collect();
    let cells = cells_of(&school_transfer());
    let values: Vec<String> = required.iter().map(|index| cells[*index].clone()).collect();
    let imported = ok_rows(import(TableFormat::Csv, &csv_file(b';', &header, &[values])).expect("import"));
    let version = &imported[0].version;
    assert_eq!(
        version.supplement_mode(),
        SupplementMode::Restart,
        "restart unless said otherwise"
    );
    assert_eq!(version.online_level(), OnlineLevel::Unspecified);
    assert!(version.steps.is_empty() && version.fees.is_empty() && version.process_document.is_empty());
}

#[test]
fn texts_longer_than_the_catalogue_allows_are_refused() {
    let mut cells = cells_of(&school_transfer());
    cells[1] = "Chuyển trường ".repeat(40);
    cells[10] = format!("{}\n{}", EDUCATION_LAW, "Thông tư ".repeat(60));
    let parsed = import(TableFormat::Csv, &csv_file(b',', COLUMNS, &[cells])).expect("import");
    assert_eq!(columns_of(&parsed[0]), ["Tên thủ tục", "Căn cứ pháp lý"]);
    assert_eq!(errors_of(&parsed[0])[0].description, "is longer than 500 characters");
    assert_eq!(
        errors_of(&parsed[0])[1].description,
        "line 2: is longer than 500 characters"
    );
}

#[test]
fn a_code_given_twice_is_refused_on_its_second_row() {
    let cells = cells_of(&school_transfer());
    let parsed = import(TableFormat::Csv, &csv_file(b',', COLUMNS, &[cells.clone(), cells])).expect("import");
    assert!(parsed[0].result.is_ok());
    let errors = errors_of(&parsed[1]);
    assert_eq!(errors[0].column, "Mã TTHC");
    assert_eq!(errors[0].description, "procedure 2.002481 is already on row 2");
}

#[test]
fn blank_rows_are_skipped_and_stray_cells_reported() {
    let cells = cells_of(&school_transfer());
    let mut second = cells_of(&catalogue()[1]);
    second.push(String::new());
    second.push("ghi chú".to_string());
    let rows = vec![
        vec![String::new(); COLUMNS.len()],
        cells,
        vec![String::new(); 3],
        second,
    ];
    let parsed = import(TableFormat::Csv, &csv_file(b',', COLUMNS, &rows)).expect("import");
    assert_eq!(parsed.iter().map(|parsed| parsed.row).collect::<Vec<_>>(), [3, 5]);
    let errors = errors_of(&parsed[1]);
    assert_eq!(
        (errors[0].column.as_str(), errors[0].description.as_str()),
        ("", "cell O5 holds a value but its column has no title")
    );
}

#[test]
fn a_bad_header_is_a_table_error_naming_the_columns() {
    let header = [
        "Mã TTHC",
        "Tên thủ tục",
        "Lĩnh vực",
        "Cấp thực hiện",
        "Ghi chú",
        "Thời hạn giải quyết",
        "code",
    ];
    let error = import(TableFormat::Csv, &csv_file(b',', &header, &[])).expect_err("bad header");
    let TableError::BadHeader {
        unknown,
        missing,
        duplicated,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(unknown, &["Ghi chú"]);
    assert_eq!(missing, &["Cơ quan thực hiện"]);
    assert_eq!(duplicated, &["code"]);
    let message = error.to_string();
    assert!(message.contains("unknown columns `Ghi chú`"), "{message}");
    assert!(
        message.contains("missing required columns `Cơ quan thực hiện`"),
        "{message}"
    );
    assert!(message.contains("columns given twice `code`"), "{message}");

    // A title row above the header is not a header either.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "DANH MỤC THỦ TỤC HÀNH CHÍNH").expect("title");
    for (column, title) in COLUMNS.iter().enumerate() {
        sheet.write_string(1, column as u16, *title).expect("header");
    }
    let content = workbook.save_to_buffer().expect("workbook");
    let error = import(TableFormat::Xlsx, &content).expect_err("title row");
    assert!(
        matches!(&error, TableError::BadHeader { unknown, missing, .. }
        if unknown == &["DANH MỤC THỦ TỤC HÀNH CHÍNH"] && missing.len() == 6),
        "{error:?}"
    );
}

#[test]
fn too_many_rows_is_a_table_error() {
    let row = vec!["x".to_string(); 6];
    let rows = vec![row; MAX_ROWS + 1];
    let header = &COLUMNS[..6];
    let error = import(TableFormat::Csv, &csv_file(b',', header, &rows)).expect_err("too many");
    assert!(
        matches!(error, TableError::TooManyRows(n) if n == MAX_ROWS + 1),
        "{error:?}"
    );
}

/// A deterministic stream of pseudo-random bytes (xorshift64).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn unreadable_files_are_table_errors_not_panics() {
    let good_xlsx = export_xlsx(&catalogue()).expect("xlsx");
    let good_csv = export_csv(&catalogue()).expect("csv");
    let mut damaged = good_xlsx.clone();
    for index in (200..damaged.len()).step_by(97) {
        damaged[index] ^= 0x5A;
    }
    let mut xlsx_inputs = vec![
        Vec::new(),
        good_csv.clone(),
        good_xlsx[..good_xlsx.len() / 2].to_vec(),
        damaged,
        [b"PK\x03\x04".as_slice(), &noise(7, 4096)].concat(),
        [b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".as_slice(), &noise(8, 4096)].concat(),
    ];
    for seed in 1..=20 {
        xlsx_inputs.push(noise(seed, 64 * seed as usize));
    }
    for content in xlsx_inputs {
        match import(TableFormat::Xlsx, &content) {
            Err(TableError::NotXlsx(_) | TableError::NoHeader | TableError::BadHeader { .. }) => {}
            other => panic!("{} bytes: {other:?}", content.len()),
        }
    }
    let error = import(TableFormat::Xlsx, &good_csv).expect_err("CSV as XLSX");
    assert!(error.to_string().contains("import it as CSV"), "{error}");

    let error = import(TableFormat::Csv, &good_xlsx).expect_err("XLSX as CSV");
    assert!(error.to_string().contains("import it as XLSX"), "{error}");
    // "Mã" in Windows-1258, as an old Excel saves "CSV (Comma delimited)".
    let error = import(TableFormat::Csv, b"M\xE3 TTHC,T\xEAn").expect_err("not UTF-8");
    assert!(error.to_string().contains("CSV UTF-8"), "{error}");
    assert!(matches!(import(TableFormat::Csv, b""), Err(TableError::NoHeader)));
    assert!(matches!(
        import(TableFormat::Csv, b"\xEF\xBB\xBF"),
        Err(TableError::NoHeader)
    ));
    assert!(matches!(
        import(TableFormat::Csv, b",,,\r\n"),
        Err(TableError::NoHeader)
    ));
    assert!(matches!(
        import(TableFormat::Csv, &noise(3, 1000)),
        Err(TableError::NotCsv(_))
    ));
    assert!(matches!(
        import(TableFormat::Unspecified, &good_csv),
        Err(TableError::FormatUnspecified)
    ));
}

#[test]
fn workbook_cells_typed_as_numbers_or_dates_are_read_or_reported() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let cells = cells_of(&school_transfer());
    for (column, title) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, column as u16, *title).expect("header");
    }
    for row in [1u32, 3, 4] {
        for (column, value) in cells.iter().enumerate() {
            sheet.write_string(row, column as u16, value).expect("cell");
        }
    }
    // Row 2: typed by hand, Excel made numbers of the code and the time.
    sheet.write_number(1, 0, 2.002481).expect("code");
    sheet.write_number(1, 5, 3).expect("time");
    // Row 4 (after a blank row 3, which is skipped): a code that a number cannot hold.
    sheet.write_number(3, 0, 12.5).expect("code");
    // Row 5: a date where the time should be.
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 15).expect("date");
    sheet.write_string(4, 0, "1.000005").expect("code");
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(4, 5, &date, &date_format)
        .expect("date");
    sheet.write_string(2, 0, "").expect("blank");
    let content = workbook.save_to_buffer().expect("workbook");

    let parsed = import(TableFormat::Xlsx, &content).expect("import");
    assert_eq!(parsed.iter().map(|parsed| parsed.row).collect::<Vec<_>>(), [2, 4, 5]);
    assert_eq!(ok_rows(vec![parsed[0].clone()]), [school_transfer()]);
    assert_eq!(columns_of(&parsed[1]), ["Mã TTHC"]);
    assert!(
        errors_of(&parsed[1])[0]
            .description
            .contains("stored by Excel as a number")
    );
    assert_eq!(columns_of(&parsed[2]), ["Thời hạn giải quyết"]);
    assert!(
        errors_of(&parsed[2])[0].description.contains("holds a date"),
        "{:?}",
        errors_of(&parsed[2])
    );
}

#[test]
fn processing_times_are_read_in_days_or_hours() {
    for (text, budget) in [
        ("15 ngày làm việc", Budget::WorkingDays(15)),
        ("03 ngày làm việc", Budget::WorkingDays(3)),
        ("15", Budget::WorkingDays(15)),
        ("15 ngày", Budget::WorkingDays(15)),
        ("  15  Ngày  Làm Việc ", Budget::WorkingDays(15)),
        ("8 giờ làm việc", Budget::WorkingHours(8)),
        ("4 giờ", Budget::WorkingHours(4)),
        ("4h", Budget::WorkingHours(4)),
    ] {
        assert_eq!(parse_processing_time(text), Ok(budget), "{text}");
        let written = format_processing_time(Some(&ProcessingTime { budget: Some(budget) }));
        assert_eq!(parse_processing_time(&written), Ok(budget), "{written}");
    }
    for text in [
        "ba ngày",
        "1,5 ngày",
        "-3",
        "0",
        "0 giờ",
        "15 tháng",
        "15 ngày làm việc kể từ ngày nhận",
        "1001",
    ] {
        assert!(parse_processing_time(text).is_err(), "{text}");
    }
}

#[test]
fn amounts_are_whole_dong_with_thousands_dots() {
    for (text, amount) in [
        ("50.000 đồng", 50_000),
        ("50.000đ", 50_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("50000", 50_000),
        ("50,000 đồng", 50_000),
        ("0 đồng", 0),
        ("Miễn phí", 0),
    ] {
        assert_eq!(parse_amount(text), Ok(amount), "{text}");
    }
    for text in [
        "-50.000 đồng",
        "50.5 đồng",
        "1,5",
        "50.000,00",
        "năm mươi nghìn",
        "50.000 USD",
        "1.50.000",
        "",
    ] {
        assert!(parse_amount(text).is_err(), "{text}");
    }
    assert_eq!(format_amount(0), "0");
    assert_eq!(format_amount(5_000), "5.000");
    assert_eq!(format_amount(1_500_000), "1.500.000");
    assert_eq!(format_amount(150_000), "150.000");
    assert_eq!(
        parse_fee("Lệ phí | Không"),
        Ok(Fee {
            description: "Lệ phí".to_string(),
            amount_vnd: 0
        })
    );
    assert!(parse_fee("50.000 đồng").is_err());
}

#[test]
fn fixed_values_accept_labels_spellings_and_enum_names() {
    for (text, level) in [
        ("Cấp xã", ProcedureLevel::Commune),
        ("CẤP XÃ", ProcedureLevel::Commune),
        ("xã", ProcedureLevel::Commune),
        ("Cấp Tỉnh", ProcedureLevel::Provincial),
        ("Cấp huyện", ProcedureLevel::District),
        ("Cấp bộ", ProcedureLevel::Central),
        ("Cấp trung ương", ProcedureLevel::Central),
        ("PROCEDURE_LEVEL_COMMUNE", ProcedureLevel::Commune),
        ("provincial", ProcedureLevel::Provincial),
    ] {
        assert_eq!(parse_level(text), Ok(level), "{text}");
    }
    assert!(parse_level("Cấp huyện, Cấp xã").is_err());
    assert!(parse_level("PROCEDURE_LEVEL_UNSPECIFIED").is_err());

    for (text, kind) in [
        ("Bản chính", CopyKind::Original),
        ("bản sao có chứng thực", CopyKind::CertifiedCopy),
        ("Bản sao chứng thực", CopyKind::CertifiedCopy),
        ("Bản sao", CopyKind::Photocopy),
        ("Bản photo", CopyKind::Photocopy),
        ("Bản chính hoặc bản sao có chứng thực", CopyKind::OriginalOrCertified),
        ("COPY_KIND_ORIGINAL", CopyKind::Original),
    ] {
        assert_eq!(parse_copy_kind(text), Ok(kind), "{text}");
    }
    assert!(parse_copy_kind("Bản nháp").is_err());

    for (text, online) in [
        ("Toàn trình", OnlineLevel::Full),
        ("Một phần", OnlineLevel::Partial),
        ("Cung cấp thông tin", OnlineLevel::Information),
        ("Mức độ 4", OnlineLevel::Full),
        ("", OnlineLevel::Unspecified),
        ("ONLINE_LEVEL_PARTIAL", OnlineLevel::Partial),
    ] {
        assert_eq!(parse_online_level(text), Ok(online), "{text}");
    }
    assert!(parse_online_level("Trực tuyến").is_err());

    for (text, mode) in [
        ("", SupplementMode::Restart),
        ("Tính lại từ đầu", SupplementMode::Restart),
        ("Tạm dừng", SupplementMode::Pause),
        ("PAUSE", SupplementMode::Pause),
    ] {
        assert_eq!(parse_supplement_mode(text), Ok(mode), "{text}");
    }
    assert!(parse_supplement_mode("Hủy").is_err());
}

#[test]
fn codes_steps_and_documents_are_checked() {
    for code in ["2.002481", "1.001234.000.00.00.H31", "1.001234.000.00.00.h31"] {
        assert_eq!(parse_code(code), Ok(code.to_uppercase()), "{code}");
    }
    for code in [
        "",
        "2,002481",
        "2..002481",
        ".2",
        "H31.1",
        "2.002481 ",
        "1.001234.000.00.00.H31.0000000000000000000",
    ] {
        if code == "2.002481 " {
            assert!(parse_code(code).is_ok(), "trimmed");
        } else {
            assert!(parse_code(code).is_err(), "{code}");
        }
    }
    assert_eq!(numeric_code(2.002481), Ok("2.002481".to_string()));
    assert_eq!(
        numeric_code(1.00012),
        Ok("1.000120".to_string()),
        "trailing zeros restored"
    );
    assert!(numeric_code(2002481.0).is_err());

    assert_eq!(
        parse_step("Thẩm định | Chuyên viên | 16 giờ"),
        Ok(step("Thẩm định", "Chuyên viên", 16))
    );
    assert_eq!(parse_step("Thẩm định | 16"), Ok(step("Thẩm định", "", 16)));
    let days = parse_step("Thẩm định | Chuyên viên | 2 ngày").expect_err("days");
    assert!(days.contains("`16 giờ`"), "{days}");
    assert!(parse_step("Thẩm định | Chuyên viên | 1,5 giờ").is_err());
    assert!(parse_step("Thẩm định").is_err());
    assert!(parse_step(" | Chuyên viên | 4 giờ").is_err());
    assert!(parse_step("a | b | c | 4 giờ").is_err());

    assert_eq!(
        parse_document("Học bạ | Bản chính"),
        Ok(document("Học bạ", CopyKind::Original, 1))
    );
    assert_eq!(
        parse_document("Học bạ | Bản sao | 02 bộ"),
        Ok(document("Học bạ", CopyKind::Photocopy, 2))
    );
    assert!(parse_document("Học bạ | Bản chính | 0 bộ").is_err());
    assert!(parse_document("Học bạ").is_err());
    assert!(parse_name("units/REPLACE-ME", "units").is_err());
    assert!(parse_name("units/a/b", "units").is_err());
    assert!(parse_name("documents/qt-01", "units").is_err());
}

#[test]
fn values_the_table_cannot_hold_are_not_exported() {
    let mut row = school_transfer();
    row.version.steps[1].display_name = "Thẩm định | trình ký".to_string();
    let error = export_csv(std::slice::from_ref(&row)).expect_err("a | in a step");
    assert!(
        matches!(&error, TableError::Unexportable { code, column: "Các bước", .. } if code == "2.002481"),
        "{error:?}"
    );
    let mut row = school_transfer();
    row.version.legal_basis[0] = "Luật Giáo dục\nsố 43/2019/QH14".to_string();
    assert!(matches!(
        export_xlsx(&[row]),
        Err(TableError::Unexportable {
            column: "Căn cứ pháp lý",
            ..
        })
    ));
}

#[test]
fn row_keeps_only_the_content_of_a_version() {
    let row = school_transfer();
    let stored = ProcedureVersion {
        name: "procedures/2.002481/versions/3".to_string(),
        number: 3,
        state: 2,
        etag: "abc".to_string(),
        ..row.version.clone()
    };
    assert_eq!(CatalogueRow::new("2.002481", &stored), row);
}

const SAMPLE: &str = "samples/thu-tuc-giao-duc.csv";

#[test]
fn sample_file_is_the_sample_catalogue() {
    let content = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).expect("sample");
    let rows = ok_rows(import(TableFormat::Csv, &content).expect("import"));
    assert!(rows.len() >= 12);
    assert_eq!(
        rows,
        sample_catalogue(),
        "regenerate with `cargo test -p eiso-procedures -- --ignored write_sample_file`"
    );
}

#[test]
#[ignore = "writes the sample file"]
fn write_sample_file() {
    let content = export_csv(&sample_catalogue()).expect("export");
    std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE), content).expect("write");
}
