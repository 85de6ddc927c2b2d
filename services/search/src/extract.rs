//! Text of stored files, for indexing: plain text, HTML, CSV, PDF, DOCX and
//! XLSX. Bounded: files over [`MAX_INPUT_BYTES`] are not read, output stops at
//! [`crate::item::MAX_BODY_BYTES`], and each file is first checked by
//! [`eiso_untrusted`] (declared dimensions, unpacked sizes, compression
//! ratios, nesting) before a parser sees it. Malformed files give an error,
//! never a panic that escapes.
//!
//! A parser can still go wrong in ways no check foresees (an allocation that
//! fails aborts the process; deep recursion overflows the stack), so the
//! server extracts in a child process: [`Extractor::Child`] runs its own
//! binary in extraction mode ([`child_main`]), which limits its address space
//! ([`CHILD_MEMORY_BYTES`]) and CPU time before reading the file from stdin;
//! the parent kills it past [`TIME_LIMIT`] and reads at most
//! [`crate::item::MAX_BODY_BYTES`] of its output. A runaway costs that child,
//! and the file is indexed by name only.

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use eiso_untrusted::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::item::{MAX_BODY_BYTES, truncate};

/// Larger files are indexed by name only.
pub const MAX_INPUT_BYTES: u64 = 32 << 20;
/// Extraction of one file may take this long; past it, the file is indexed by name only.
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Uncompressed size of a DOCX part read at most (zip bombs).
const MAX_XML_BYTES: u64 = 64 << 20;

/// Address space an extraction child may use (the allocator's arenas and the
/// thread stacks reserve address space they never touch: under a 1 GiB limit
/// an ordinary PDF once failed).
pub const CHILD_MEMORY_BYTES: u64 = 2 << 30;
/// CPU seconds an extraction child may use.
const CHILD_CPU_SECONDS: u64 = 30;

/// What kind of text extraction applies to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Pdf,
    Docx,
    Xlsx,
}

impl Format {
    /// The name the extraction mode takes (`--format pdf`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Text, Format::Html, Format::Pdf, Format::Docx, Format::Xlsx]
            .into_iter()
            .find(|f| f.name() == name)
    }
}

/// The format of a file from its MIME type, else its name's extension.
pub fn format(content_type: &str, file_name: &str) -> Option<Format> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let by_type = match mime.as_str() {
        "text/html" | "application/xhtml+xml" => Some(Format::Html),
        "application/pdf" => Some(Format::Pdf),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Some(Format::Docx),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Some(Format::Xlsx),
        m if m.starts_with("text/") => Some(Format::Text),
        "application/json" | "application/xml" => Some(Format::Text),
        _ => None,
    };
    by_type.or_else(|| {
        let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "txt" | "csv" | "md" | "json" | "xml" => Some(Format::Text),
            "html" | "htm" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    })
}

/// Refuses a file whose parsing could run away (see [`eiso_untrusted`]).
pub fn check(format: Format, content: &[u8]) -> Result<(), String> {
    let limits = Limits::EXTRACTION;
    let refused = |refusal: eiso_untrusted::Refusal| format!("not read: {refusal}");
    match format {
        Format::Text | Format::Html => Ok(()),
        Format::Pdf => eiso_untrusted::check_pdf(content, &limits).map_err(refused),
        Format::Docx => eiso_untrusted::check_document(content, &limits).map_err(refused),
        Format::Xlsx => match eiso_untrusted::check_workbook(content, &limits).map_err(refused)? {
            eiso_untrusted::Workbook::Xlsx => Ok(()),
            eiso_untrusted::Workbook::Ods => Err("not read: not an XLSX workbook".to_string()),
        },
    }
}

/// The text of `content`, at most [`MAX_BODY_BYTES`], once [`check`] has let it through.
pub fn text(format: Format, content: &[u8]) -> Result<String, String> {
    if content.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!("file of {} bytes is over the extraction limit", content.len()));
    }
    check(format, content)?;
    parse(format, content)
}

/// The text of `content`, with no checks: only in a process with limits.
fn parse(format: Format, content: &[u8]) -> Result<String, String> {
    let mut text = match format {
        Format::Text => plain_text(content),
        Format::Html => html_text(&String::from_utf8_lossy(content)),
        Format::Pdf => pdf_text(content)?,
        Format::Docx => docx_text(content)?,
        Format::Xlsx => xlsx_text(content)?,
    };
    truncate(&mut text, MAX_BODY_BYTES);
    Ok(text)
}

/// The text of a plain-text file, at most [`MAX_BODY_BYTES`]: invalid UTF-8
/// becomes U+FFFD. Every byte read gives at least one byte of text, so bytes
/// past the limit (and a character's length) cannot change what is kept, and
/// they are not decoded.
fn plain_text(content: &[u8]) -> String {
    let head = &content[..content.len().min(MAX_BODY_BYTES + 4)];
    let mut text = String::from_utf8_lossy(head).into_owned();
    truncate(&mut text, MAX_BODY_BYTES);
    text
}

/// Where text is extracted.
#[derive(Debug, Clone)]
pub enum Extractor {
    /// On the blocking pool of this process, under [`TIME_LIMIT`]: the checks
    /// are the only guard (for tests and embedders without the server binary).
    InProcess,
    /// In a child process: `program extract --format F`, file on stdin, text
    /// on stdout (see [`child_main`]).
    Child { program: PathBuf },
}

impl Extractor {
    /// The text of `content`, or why there is none.
    pub async fn text(&self, format: Format, content: Vec<u8>) -> Result<String, String> {
        match self {
            Extractor::InProcess => {
                let job = tokio::task::spawn_blocking(move || text(format, &content));
                match tokio::time::timeout(TIME_LIMIT, job).await {
                    Ok(Ok(result)) => result,
                    Ok(Err(error)) => Err(format!("extraction failed: {error}")),
                    Err(_) => Err("extraction took too long".to_string()),
                }
            }
            Extractor::Child { program } => {
                if content.len() as u64 > MAX_INPUT_BYTES {
                    return Err(format!("file of {} bytes is over the extraction limit", content.len()));
                }
                // Plain text runs no parser that could run away: decoded
                // here, no process started (a start costs ~4 ms of CPU,
                // most of a rebuild's time per file).
                if format == Format::Text {
                    return Ok(plain_text(&content));
                }
                in_child(program, format, content).await
            }
        }
    }
}

async fn in_child(program: &PathBuf, format: Format, content: Vec<u8>) -> Result<String, String> {
    let mut child = tokio::process::Command::new(program)
        .args(["extract", "--format", format.name()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start the extraction process: {e}"))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("the extraction process has no pipes".to_string());
    };
    let work = async {
        let feed = async move {
            // A child that stops reading (it died, or refused the file) is not an error here.
            let _ = stdin.write_all(&content).await;
            drop(stdin);
        };
        let read_out = async move {
            let mut out = Vec::new();
            let _ = stdout.take(MAX_BODY_BYTES as u64 + 1).read_to_end(&mut out).await;
            out
        };
        let read_err = async move {
            let mut err = Vec::new();
            let _ = stderr.take(4096).read_to_end(&mut err).await;
            err
        };
        let ((), out, err) = tokio::join!(feed, read_out, read_err);
        (out, err)
    };
    let (out, err) = match tokio::time::timeout(TIME_LIMIT, work).await {
        Ok(result) => result,
        Err(_) => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err("extraction took too long".to_string());
        }
    };
    let status = match tokio::time::timeout(TIME_LIMIT, child.wait()).await {
        Ok(Ok(status)) => status,
        Ok(Err(error)) => return Err(format!("extraction process: {error}")),
        Err(_) => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err("extraction took too long".to_string());
        }
    };
    if status.success() {
        let mut text = String::from_utf8_lossy(&out).into_owned();
        truncate(&mut text, MAX_BODY_BYTES);
        return Ok(text);
    }
    let message = String::from_utf8_lossy(&err);
    let mut message = message.lines().last().unwrap_or_default().to_string();
    truncate(&mut message, 200);
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(signal) => Err(format!("the extraction process died (signal {signal}) {message}")),
        None if status.code() == Some(EXIT_REFUSED) => Err(message),
        None => Err(format!("the extraction process failed ({status}) {message}")),
    }
}

/// The child's exit code for a file it refused or could not read.
const EXIT_REFUSED: i32 = 3;

/// The extraction mode of the server binary: limits itself (address space,
/// CPU time), reads the file from stdin, writes its text to stdout. A file
/// that cannot be read exits with status 3 and the reason on stderr.
/// `unchecked` skips [`check`] (for tests of the limits themselves).
pub fn child_main(format: &str, unchecked: bool) -> ExitCode {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let limit = |resource, value: u64| {
        setrlimit(
            resource,
            Rlimit {
                current: Some(value),
                maximum: Some(value),
            },
        )
    };
    if let Err(error) = limit(Resource::As, CHILD_MEMORY_BYTES).and(limit(Resource::Cpu, CHILD_CPU_SECONDS)) {
        eprintln!("cannot limit the extraction process: {error}");
        return ExitCode::FAILURE;
    }
    let Some(format) = Format::from_name(format) else {
        eprintln!("unknown format `{format}`");
        return ExitCode::from(2);
    };
    let mut content = Vec::new();
    if let Err(error) = std::io::stdin().take(MAX_INPUT_BYTES + 1).read_to_end(&mut content) {
        eprintln!("cannot read the file: {error}");
        return ExitCode::FAILURE;
    }
    let result = if unchecked {
        parse(format, &content)
    } else {
        text(format, &content)
    };
    match result {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("{reason}");
            ExitCode::from(EXIT_REFUSED as u8)
        }
    }
}

fn pdf_text(content: &[u8]) -> Result<String, String> {
    // The PDF parser panics on some malformed files; contain it.
    let bytes = content.to_vec();
    match std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&bytes)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(error)) => Err(format!("unreadable PDF: {error}")),
        Err(_) => Err("unreadable PDF".to_string()),
    }
}

/// Text content of HTML: tags dropped, `script`/`style` skipped, the common
/// entities decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let after = &rest[open..];
        let lower: String = after.chars().take(8).collect::<String>().to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            Some("</script>")
        } else if lower.starts_with("<style") {
            Some("</style>")
        } else {
            None
        };
        rest = match skip_to {
            Some(end_tag) => match after.to_ascii_lowercase().find(end_tag) {
                Some(end) => &after[end + end_tag.len()..],
                None => "",
            },
            None => match after.find('>') {
                Some(end) => &after[end + 1..],
                None => "",
            },
        };
        out.push(' ');
    }
    out.push_str(&decode_entities(rest));
    out
}

/// Text with its character references decoded by the HTML standard's rules:
/// named (`&nbsp;`, `&agrave;`) and numeric (`&#7879;`, `&#x1EC7;`), which
/// Vietnamese pages written by older editors are full of. A no-break space
/// becomes a plain one, so it separates words like any space.
fn decode_entities(text: &str) -> String {
    htmlize::unescape(text).replace('\u{a0}', " ")
}

fn docx_text(content: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(content)).map_err(|e| format!("unreadable DOCX: {e}"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| format!("unreadable DOCX: {e}"))?
        .take(MAX_XML_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| format!("unreadable DOCX: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) if e.name().0 == "w:t" => in_text = true,
            Ok(quick_xml::events::Event::End(e)) => match e.name().0 {
                "w:t" => in_text = false,
                "w:p" => out.push('\n'),
                _ => {}
            },
            Ok(quick_xml::events::Event::Empty(e)) if matches!(e.name().0, "w:tab" | "w:br") => {
                out.push(' ');
            }
            Ok(quick_xml::events::Event::Text(t)) if in_text => {
                out.push_str(&t);
            }
            Ok(quick_xml::events::Event::GeneralRef(r)) if in_text => {
                out.push_str(&decode_entities(&format!("&{};", &*r)));
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => return Err(format!("unreadable DOCX: {error}")),
        }
        if out.len() > MAX_BODY_BYTES {
            break;
        }
    }
    Ok(out)
}

fn xlsx_text(content: &[u8]) -> Result<String, String> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(content)).map_err(|e| format!("unreadable XLSX: {e}"))?;
    let mut out = String::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("unreadable XLSX: {e}"))?;
        for row in range.rows() {
            for cell in row {
                let value = cell.to_string();
                if !value.is_empty() {
                    out.push_str(&value);
                    out.push(' ');
                }
            }
            out.push('\n');
            if out.len() > MAX_BODY_BYTES {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_type_then_name() {
        assert_eq!(format("application/pdf", "x"), Some(Format::Pdf));
        assert_eq!(format("text/plain; charset=utf-8", "x"), Some(Format::Text));
        assert_eq!(format("application/octet-stream", "Quy trình.DOCX"), Some(Format::Docx));
        assert_eq!(format("application/octet-stream", "ảnh.png"), None);
    }

    #[test]
    fn plain_text_keeps_what_decoding_the_whole_file_keeps() {
        let whole = |content: &[u8]| {
            let mut text = String::from_utf8_lossy(content).into_owned();
            truncate(&mut text, MAX_BODY_BYTES);
            text
        };
        // Around the limit: multi-byte characters cut at every offset,
        // invalid bytes (one U+FFFD, 3 bytes, for each) and a short file.
        let mut cases: Vec<Vec<u8>> = vec![b"H\xe1\xbb\x93 s\xc6\xa1".to_vec(), vec![0xff; MAX_BODY_BYTES + 10]];
        for shift in 0..4 {
            let mut content = vec![b'a'; shift];
            while content.len() < MAX_BODY_BYTES + 12 {
                content.extend_from_slice("ồ".as_bytes());
            }
            cases.push(content.clone());
            content.truncate(MAX_BODY_BYTES + 2);
            cases.push(content);
        }
        for content in &cases {
            let text = plain_text(content);
            assert!(text.len() <= MAX_BODY_BYTES);
            assert_eq!(text, whole(content), "{} bytes", content.len());
        }
    }

    #[tokio::test]
    async fn plain_text_starts_no_process() {
        // No such program: only a format that goes to a child fails.
        let extractor = Extractor::Child {
            program: PathBuf::from("/nonexistent/eiso-server"),
        };
        let text = extractor.text(Format::Text, "Hồ sơ chuyển trường".into()).await;
        assert_eq!(text.unwrap(), "Hồ sơ chuyển trường");
        let refused = extractor.text(Format::Html, b"<p>x</p>".to_vec()).await;
        assert!(refused.unwrap_err().contains("cannot start the extraction process"));
    }

    #[test]
    fn html_text_drops_tags_scripts_and_decodes_entities() {
        let text = html_text(
            "<html><style>p{}</style><p>Hồ sơ&nbsp;chuyển <b>trường</b> &amp; lớp</p><script>x()</script></html>",
        );
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, ["Hồ", "sơ", "chuyển", "trường", "&", "lớp"]);
    }

    #[test]
    fn html_text_decodes_numeric_and_named_references() {
        // "Thủ tục chuyển trường" as an older editor writes it.
        let text = html_text("<p>Th&#7911; t&#x1EE5;c chuy&#7875;n tr&#432;&#7901;ng&nbsp;&ndash; &Agrave;</p>");
        assert_eq!(text.trim(), "Thủ tục chuyển trường – À");
        assert_eq!(html_text("AT&amp;T &copy; &bogus; &#0;"), "AT&T © &bogus; \u{fffd}");
    }

    #[test]
    fn docx_text_reads_paragraphs() {
        let mut buffer = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            use std::io::Write;
            zip.write_all(
                "<w:document><w:body><w:p><w:r><w:t>Quy trình tiếp nhận</w:t></w:r></w:p>\
                 <w:p><w:r><w:t xml:space=\"preserve\">hồ sơ &amp; trả kết quả</w:t></w:r></w:p></w:body></w:document>"
                    .as_bytes(),
            )
            .unwrap();
            zip.finish().unwrap();
        }
        let text = text(Format::Docx, buffer.get_ref()).unwrap();
        assert_eq!(text, "Quy trình tiếp nhận\nhồ sơ & trả kết quả\n");
    }

    /// A one-page PDF with `text` in Helvetica, offsets computed.
    fn pdf_with(text: &str) -> Vec<u8> {
        eiso_untrusted::corpus::text_pdf(text)
    }

    #[test]
    fn pdf_text_is_extracted() {
        let text = text(Format::Pdf, &pdf_with("Quy trinh luu tru ho so")).unwrap();
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            ["Quy", "trinh", "luu", "tru", "ho", "so"]
        );
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        assert!(text(Format::Pdf, b"%PDF-1.4 garbage").is_err());
        assert!(text(Format::Docx, b"not a zip").is_err());
        assert!(text(Format::Xlsx, b"not a zip").is_err());
    }

    #[test]
    fn output_is_bounded() {
        let big = "ă".repeat(MAX_BODY_BYTES);
        let out = text(Format::Text, big.as_bytes()).unwrap();
        assert!(out.len() <= MAX_BODY_BYTES);
    }
}
