//! Hostile files, generated (nothing binary is committed), for the tests of
//! every place that reads files from users: the checks here, text extraction
//! for the search index, and the catalogue and plan imports, up to a real
//! server run under a memory cap. Each is small on disk (at most a few MiB)
//! and declares or unpacks to something huge. [`ordinary`] gives a harmless
//! file of each kind, so that a test also shows the good ones still work.

use std::io::Write;

use flate2::Compression;

/// One generated file.
#[derive(Debug, Clone)]
pub struct Sample {
    /// What it does, e.g. `xlsx-sparse-cells`.
    pub label: &'static str,
    pub kind: Kind,
    pub file_name: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Ods,
    Docx,
    Pdf,
    Csv,
}

impl Kind {
    fn extension(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Ods => "ods",
            Kind::Docx => "docx",
            Kind::Pdf => "pdf",
            Kind::Csv => "csv",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Pdf => "application/pdf",
            Kind::Csv => "text/csv",
        }
    }
}

fn sample(label: &'static str, kind: Kind, content: Vec<u8>) -> Sample {
    Sample {
        label,
        kind,
        file_name: format!("{label}.{}", kind.extension()),
        content_type: kind.content_type(),
        content,
    }
}

const MIB: usize = 1 << 20;
const GIB: u64 = 1 << 30;

// ---------------------------------------------------------------------------
// Deflate, built from repeated blocks so that a gigabyte costs no time.

/// Raw deflate of `data` as non-final blocks ending on a byte boundary (a
/// sync flush), so that such pieces can be concatenated.
fn deflate_piece(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing to a vector cannot fail.
    let _ = encoder.write_all(data);
    let _ = encoder.flush();
    std::mem::take(encoder.get_mut())
}

/// Raw deflate of `head`, then `unit` `times` times, then `tail`, and the final block.
fn deflate_repeated(head: &[u8], unit: &[u8], times: u64, tail: &[u8]) -> Vec<u8> {
    let mut out = deflate_piece(head);
    let piece = deflate_piece(unit);
    for _ in 0..times {
        out.extend_from_slice(&piece);
    }
    out.extend_from_slice(&deflate_piece(tail));
    // A final, empty block of fixed codes.
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

fn deflate(data: &[u8]) -> Vec<u8> {
    deflate_repeated(data, b"", 0, b"")
}

// ---------------------------------------------------------------------------
// A zip writer that writes what it is told, true or not.

struct Entry {
    name: String,
    /// Stored bytes (deflated when `deflated`).
    data: Vec<u8>,
    deflated: bool,
    crc: u32,
    /// Uncompressed size as the headers declare it.
    size: u64,
}

fn entry(name: &str, content: &[u8]) -> Entry {
    let mut crc = flate2::Crc::new();
    crc.update(content);
    Entry {
        name: name.to_string(),
        data: deflate(content),
        deflated: true,
        crc: crc.sum(),
        size: content.len() as u64,
    }
}

fn stored(name: &str, content: &[u8]) -> Entry {
    let mut crc = flate2::Crc::new();
    crc.update(content);
    Entry {
        name: name.to_string(),
        data: content.to_vec(),
        deflated: false,
        crc: crc.sum(),
        size: content.len() as u64,
    }
}

/// An entry that inflates to `head`, `unit` × `times`, `tail`, declaring
/// `declared` bytes (the truth, or a lie).
fn bomb(name: &str, head: &[u8], unit: &[u8], times: u64, tail: &[u8], declared: Option<u64>) -> Entry {
    let size = head.len() as u64 + unit.len() as u64 * times + tail.len() as u64;
    Entry {
        name: name.to_string(),
        data: deflate_repeated(head, unit, times, tail),
        deflated: true,
        crc: 0,
        size: declared.unwrap_or(size),
    }
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    for entry in entries {
        let offset = out.len() as u32;
        let method: u16 = if entry.deflated { 8 } else { 0 };
        let name = entry.name.as_bytes();
        // The fields a local header and its central record share, from "version needed" to the name's length.
        let shared = |header: &mut Vec<u8>| {
            header.extend_from_slice(&20u16.to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            header.extend_from_slice(&method.to_le_bytes());
            header.extend_from_slice(&[0, 0, 0x21, 0]);
            header.extend_from_slice(&entry.crc.to_le_bytes());
            header.extend_from_slice(&clamp(entry.data.len() as u64).to_le_bytes());
            header.extend_from_slice(&clamp(entry.size).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04");
        shared(&mut out);
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        shared(&mut central);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let directory_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

// ---------------------------------------------------------------------------
// Workbooks and documents

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
const SST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">"#;

/// An XLSX whose sheet is `sheet` (given whole, or as an entry) and whose
/// shared strings are `strings`.
fn xlsx_with(sheet: Entry, strings: Entry) -> Vec<u8> {
    zip(&[
        entry("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        entry("_rels/.rels", ROOT_RELS.as_bytes()),
        entry("xl/workbook.xml", WORKBOOK.as_bytes()),
        entry("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        sheet,
        strings,
    ])
}

fn sheet_xml(body: &str) -> Entry {
    entry(
        "xl/worksheets/sheet1.xml",
        format!("{SHEET_HEAD}{body}</worksheet>").as_bytes(),
    )
}

fn strings_xml() -> Entry {
    entry(
        "xl/sharedStrings.xml",
        format!("{SST_HEAD}<si><t>Quy trình</t></si></sst>").as_bytes(),
    )
}

/// A workbook of the given rows (inline strings), harmless.
pub fn xlsx_of(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut body = String::from("<sheetData>");
    for (r, row) in rows.iter().enumerate() {
        body.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, value) in row.iter().enumerate() {
            let column = char::from(b'A' + c as u8);
            let value = value.replace('&', "&amp;").replace('<', "&lt;");
            body.push_str(&format!(
                "<c r=\"{column}{}\" t=\"inlineStr\"><is><t>{value}</t></is></c>",
                r + 1
            ));
        }
        body.push_str("</row>");
    }
    body.push_str("</sheetData>");
    xlsx_with(sheet_xml(&body), strings_xml())
}

const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
const ODS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">"#;
const ODS_TAIL: &str = "</table:table></office:spreadsheet></office:body></office:document-content>";

fn ods_with(content: Entry) -> Vec<u8> {
    zip(&[
        stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        entry("META-INF/manifest.xml", ODS_MANIFEST.as_bytes()),
        content,
    ])
}

const DOCX_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;

fn docx_with(document: Entry) -> Vec<u8> {
    zip(&[document])
}

/// A valid one-page PDF showing `text` in Helvetica (ASCII), for tests of
/// what reads PDFs.
/// The sample `label`: a file of `kind` whose content entry inflates to a
/// gibibyte of `a`, declaring `declared` bytes (the truth when `None`).
fn zip_bomb(label: &'static str, kind: Kind, declared: Option<u64>) -> Sample {
    let bomb = |name: &str, head: String, tail: &str| {
        bomb(name, head.as_bytes(), &[b'a'; MIB], 1024, tail.as_bytes(), declared)
    };
    let content = match kind {
        Kind::Xlsx => xlsx_with(
            bomb(
                "xl/worksheets/sheet1.xml",
                format!("{SHEET_HEAD}<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"),
                "</t></is></c></row></sheetData></worksheet>",
            ),
            strings_xml(),
        ),
        Kind::Ods => ods_with(bomb(
            "content.xml",
            format!("{ODS_HEAD}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>"),
            &format!("</text:p></table:table-cell></table:table-row>{ODS_TAIL}"),
        )),
        Kind::Docx => docx_with(bomb(
            "word/document.xml",
            format!("{DOCX_HEAD}<w:p><w:r><w:t>"),
            "</w:t></w:r></w:p></w:body></w:document>",
        )),
        Kind::Pdf | Kind::Csv => unreachable!("{kind:?} is not a zip archive"),
    };
    sample(label, kind, content)
}

pub fn text_pdf(text: &str) -> Vec<u8> {
    pdf_with(format!("BT /F1 18 Tf 10 100 Td ({text}) Tj ET").as_bytes(), "")
}

/// A one-page PDF whose page content is the stream `stream` (with `filter`).
fn pdf_with(stream: &[u8], filter: &str) -> Vec<u8> {
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        {
            let mut object = format!("<< /Length {}{filter} >>\nstream\n", stream.len()).into_bytes();
            object.extend_from_slice(stream);
            object.extend_from_slice(b"\nendstream");
            object
        },
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A workbook with `count` shared strings, declaring none.
pub fn shared_strings(count: usize) -> Vec<u8> {
    xlsx_with(
        sheet_xml("<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData>"),
        entry(
            "xl/sharedStrings.xml",
            format!(
                "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">{}</sst>",
                (0..count).map(|n| format!("<si><t>{n}</t></si>")).collect::<String>()
            )
            .as_bytes(),
        ),
    )
}

/// Harmless files of each kind, with the word `ordinary` in their text.
pub fn ordinary() -> Vec<Sample> {
    let rows = vec![vec!["Tên", "Ghi chú"], vec!["ordinary", "Quy trình"]];
    vec![
        sample("ordinary-sheet", Kind::Xlsx, xlsx_of(&rows)),
        sample(
            "ordinary-table",
            Kind::Ods,
            ods_with(entry(
                "content.xml",
                format!(
                    "{ODS_HEAD}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>ordinary</text:p></table:table-cell></table:table-row>{ODS_TAIL}"
                )
                .as_bytes(),
            )),
        ),
        sample(
            "ordinary-letter",
            Kind::Docx,
            docx_with(entry(
                "word/document.xml",
                format!("{DOCX_HEAD}<w:p><w:r><w:t>ordinary letter</w:t></w:r></w:p></w:body></w:document>").as_bytes(),
            )),
        ),
        sample(
            "ordinary-page",
            Kind::Pdf,
            pdf_with(b"BT /F1 18 Tf 10 100 Td (ordinary page) Tj ET", ""),
        ),
        sample("ordinary-list", Kind::Csv, "Tên,Ghi chú\nordinary,Quy trình\n".as_bytes().to_vec()),
    ]
}

/// Every hostile file.
pub fn hostile() -> Vec<Sample> {
    let mut all = Vec::new();
    let cell = |r: &str| format!("<c r=\"{r}\"><v>1</v></c>");

    // --- XLSX
    all.push(sample(
        "xlsx-sparse-cells",
        Kind::Xlsx,
        xlsx_with(
            sheet_xml(&format!(
                "<sheetData><row r=\"1\">{}</row><row r=\"1048576\">{}</row></sheetData>",
                cell("A1"),
                cell("XFD1048576")
            )),
            strings_xml(),
        ),
    ));
    all.push(sample(
        "xlsx-declared-dimension",
        Kind::Xlsx,
        xlsx_with(
            sheet_xml(&format!(
                "<dimension ref=\"A1:XFD1048576\"/><sheetData><row r=\"1\">{}</row></sheetData>",
                cell("A1")
            )),
            strings_xml(),
        ),
    ));
    all.push(sample(
        "xlsx-declared-shared-strings",
        Kind::Xlsx,
        xlsx_with(
            sheet_xml(&format!("<sheetData><row r=\"1\">{}</row></sheetData>", cell("A1"))),
            entry(
                "xl/sharedStrings.xml",
                br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>"#,
            ),
        ),
    ));
    all.push(sample(
        "xlsx-giant-shared-strings",
        Kind::Xlsx,
        xlsx_with(
            sheet_xml(&format!("<sheetData><row r=\"1\">{}</row></sheetData>", cell("A1"))),
            bomb(
                "xl/sharedStrings.xml",
                br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
                "<si><t>Hồ sơ</t></si>".repeat(10_000).as_bytes(),
                300,
                b"</sst>",
                None,
            ),
        ),
    ));
    all.push(sample(
        "xlsx-shared-formula-index",
        Kind::Xlsx,
        xlsx_with(
            sheet_xml("<sheetData><row r=\"1\"><c r=\"A1\"><f t=\"shared\" si=\"4000000000\" ref=\"A1:A2\">1+1</f><v>2</v></c></row></sheetData>"),
            strings_xml(),
        ),
    ));
    all.push(zip_bomb("xlsx-zip-bomb", Kind::Xlsx, None));
    all.push(zip_bomb("xlsx-zip-bomb-lying-header", Kind::Xlsx, Some(1000)));
    all.push(sample(
        "xlsx-deep-nesting",
        Kind::Xlsx,
        xlsx_with(
            entry(
                "xl/worksheets/sheet1.xml",
                format!("{SHEET_HEAD}{}", "<a>".repeat(5_000)).as_bytes(),
            ),
            strings_xml(),
        ),
    ));
    let mut truncated = xlsx_of(&[vec!["Tên"], vec!["truncated"]]);
    truncated.truncate(truncated.len() / 2);
    all.push(sample("xlsx-truncated", Kind::Xlsx, truncated));
    let mut lying_directory = xlsx_of(&[vec!["Tên"]]);
    let end = lying_directory.len();
    // The end-of-directory record claims 65,534 entries.
    lying_directory[end - 12..end - 10].copy_from_slice(&0xFFFEu16.to_le_bytes());
    lying_directory[end - 14..end - 12].copy_from_slice(&0xFFFEu16.to_le_bytes());
    all.push(sample("xlsx-lying-directory", Kind::Xlsx, lying_directory));

    // --- ODS
    all.push(sample(
        "ods-repeated-cells",
        Kind::Ods,
        ods_with(entry(
            "content.xml",
            format!(
                "{ODS_HEAD}<table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>{ODS_TAIL}"
            )
            .as_bytes(),
        )),
    ));
    all.push(zip_bomb("ods-zip-bomb", Kind::Ods, None));
    all.push(sample(
        "ods-deep-nesting",
        Kind::Ods,
        ods_with(entry(
            "content.xml",
            format!("{ODS_HEAD}{}", "<a>".repeat(5_000)).as_bytes(),
        )),
    ));

    // --- DOCX
    all.push(zip_bomb("docx-zip-bomb", Kind::Docx, None));
    all.push(zip_bomb("docx-zip-bomb-lying-header", Kind::Docx, Some(1000)));
    all.push(sample(
        "docx-deep-nesting",
        Kind::Docx,
        docx_with(entry(
            "word/document.xml",
            format!("{DOCX_HEAD}{}", "<w:p>".repeat(5_000)).as_bytes(),
        )),
    ));
    let mut truncated = docx_with(entry(
        "word/document.xml",
        format!("{DOCX_HEAD}<w:p><w:r><w:t>truncated</w:t></w:r></w:p></w:body></w:document>").as_bytes(),
    ));
    truncated.truncate(truncated.len() * 2 / 3);
    all.push(sample("docx-truncated", Kind::Docx, truncated));

    // --- PDF
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&deflate_repeated(b"BT (", &[b'a'; MIB], GIB / MIB as u64, b") Tj ET"));
    zlib.extend_from_slice(&[0, 0, 0, 0]);
    all.push(sample(
        "pdf-deflate-bomb",
        Kind::Pdf,
        pdf_with(&zlib, " /Filter /FlateDecode"),
    ));
    let mut deep = b"%PDF-1.4\n1 0 obj\n".to_vec();
    deep.extend_from_slice(&b"[".repeat(200_000));
    deep.extend_from_slice(&b"]".repeat(200_000));
    deep.extend_from_slice(b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    all.push(sample("pdf-deep-nesting", Kind::Pdf, deep));
    let mut truncated = pdf_with(b"BT /F1 18 Tf 10 100 Td (truncated) Tj ET", "");
    truncated.truncate(truncated.len() / 2);
    all.push(sample("pdf-truncated", Kind::Pdf, truncated));

    // --- CSV
    let mut wide = "c,".repeat(100_000);
    wide.push('\n');
    all.push(sample("csv-100000-columns", Kind::Csv, wide.into_bytes()));
    let mut long = b"\xEF\xBB\xBFcode,note\n1,".to_vec();
    long.extend_from_slice(&b"x".repeat(5 * MIB));
    long.push(b'\n');
    all.push(sample("csv-5-mib-record", Kind::Csv, long));
    let mut quoted = b"code,note\n1,\"".to_vec();
    quoted.extend_from_slice(&b"y\n".repeat(3 * MIB));
    all.push(sample("csv-unterminated-quote", Kind::Csv, quoted));
    all
}

/// Writes each sample into `dir` (for looking at them by hand).
pub fn write_to(dir: &std::path::Path, samples: &[Sample]) -> std::io::Result<()> {
    for sample in samples {
        std::fs::File::create(dir.join(&sample.file_name))?.write_all(&sample.content)?;
    }
    Ok(())
}
