//! `eiso docs upload` and `eiso docs download`: files streamed in 1 MiB
//! chunks (never whole in memory), checked by SHA-256 at both ends, with a
//! progress bar on a terminal.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Duration;

use eiso_proto::eiso::documents::v1::{
    DownloadFileRequest, File, UploadFileHeader, UploadFileRequest, download_file_response, upload_file_request,
};
use eiso_proto::tonic::Status;
use futures::Stream;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::oneshot;

use crate::cli::{DownloadArgs, UploadArgs};
use crate::context::Ctx;
use crate::error::CliError;
use crate::names::{nfc, short_id};
use crate::output::{self, details_table, format_size, json_time, local_cell, table};

/// How much of a file is read, hashed and sent at a time.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A file name's extension in lower case; empty when it has none.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The MIME type for a file name's extension (case-insensitive).
pub fn guess_content_type(path: &Path) -> &'static str {
    match extension(path).as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "odt" => "application/vnd.oasis.opendocument.text",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// A progress bar on standard error for `total` bytes: drawn only when
/// standard error is a terminal and there is more than one chunk to move.
fn progress_bar(total: u64, message: &'static str) -> ProgressBar {
    if !io::stderr().is_terminal() || total <= CHUNK_BYTES as u64 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg:>11} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn io_error(error: io::Error, what: String) -> CliError {
    anyhow::Error::new(error).context(what).into()
}

/// The lowercase hex SHA-256 of what `file` holds from its current position,
/// read in [`CHUNK_BYTES`] pieces.
async fn hash_file(file: &mut tokio::fs::File, path: &Path, bar: &ProgressBar) -> Result<(String, u64), CliError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; CHUNK_BYTES];
    let mut total = 0u64;
    loop {
        let read = file
            .read(&mut buffer)
            .await
            .map_err(|error| io_error(error, format!("cannot read {}", path.display())))?;
        if read == 0 {
            return Ok((hex::encode(hasher.finalize()), total));
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
        bar.inc(read as u64);
    }
}

/// What the upload stream carries from one message to the next.
struct Sending {
    header: Option<UploadFileRequest>,
    file: tokio::fs::File,
    path: PathBuf,
    hasher: Sha256,
    expected_sha256: String,
    expected_size: u64,
    sent: u64,
    bar: ProgressBar,
    /// Where a local failure goes: the call is then dropped, which cancels
    /// it, instead of ending the stream (which the server would take for the
    /// end of the file).
    failed: Option<oneshot::Sender<CliError>>,
}

/// The header, then the file in [`CHUNK_BYTES`] chunks, read as the upload
/// goes. A read error, or content that no longer matches the first pass,
/// is reported on `failed` and the stream never ends.
fn upload_stream(mut state: Sending) -> impl Stream<Item = UploadFileRequest> + Send + 'static {
    futures::stream::unfold(state.header.take().map(|header| (header, state)), |next| async move {
        let (message, mut state) = next?;
        let outcome = read_chunk(&mut state).await;
        match outcome {
            Ok(Some(chunk)) => Some((
                message,
                Some((
                    UploadFileRequest {
                        part: Some(upload_file_request::Part::Chunk(chunk)),
                    },
                    state,
                )),
            )),
            Ok(None) => Some((message, None)),
            Err(error) => {
                // Stall (the server must not see the end of the stream)
                // until the failure cancels the call.
                if let Some(failed) = state.failed.take() {
                    let _ = failed.send(error);
                }
                futures::future::pending::<()>().await;
                None
            }
        }
    })
}

/// The next chunk, or `None` at the end when the content still matches the
/// first pass.
async fn read_chunk(state: &mut Sending) -> Result<Option<Vec<u8>>, CliError> {
    let mut chunk = Vec::with_capacity(CHUNK_BYTES);
    (&mut state.file)
        .take(CHUNK_BYTES as u64)
        .read_to_end(&mut chunk)
        .await
        .map_err(|error| io_error(error, format!("cannot read {}", state.path.display())))?;
    if chunk.is_empty() {
        let digest = hex::encode(std::mem::take(&mut state.hasher).finalize());
        if digest != state.expected_sha256 || state.sent != state.expected_size {
            return Err(anyhow::anyhow!(
                "{} changed while it was being uploaded: nothing was stored; try again",
                state.path.display()
            )
            .into());
        }
        return Ok(None);
    }
    state.hasher.update(&chunk);
    state.sent += chunk.len() as u64;
    state.bar.inc(chunk.len() as u64);
    Ok(Some(chunk))
}

/// `eiso docs upload`.
pub async fn upload(ctx: &Ctx, args: UploadArgs) -> Result<(), CliError> {
    let path = args.file;
    let file_name = match &args.file_name {
        Some(name) => nfc(name),
        None => path
            .file_name()
            .and_then(|name| name.to_str())
            .map(nfc)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: the file name is not UTF-8 text; give the name to store with --file-name",
                    path.display()
                ))
            })?,
    };
    let content_type = args
        .content_type
        .as_deref()
        .map(str::trim)
        .filter(|content_type| !content_type.is_empty())
        .unwrap_or_else(|| guess_content_type(Path::new(&file_name)))
        .to_string();
    // Stop before reading a large file when the call cannot succeed anyway.
    ctx.ensure_signed_in()?;

    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|error| io_error(error, format!("cannot open {}", path.display())))?;
    let metadata = file
        .metadata()
        .await
        .map_err(|error| io_error(error, format!("cannot read {}", path.display())))?;
    if !metadata.is_file() {
        return Err(CliError::Usage(format!("{} is not a file", path.display())));
    }

    // First pass: the digest the server must find, so that it verifies what it stored.
    let bar = progress_bar(metadata.len(), "checksum");
    let (sha256, size) = hash_file(&mut file, &path, &bar).await?;
    bar.finish_and_clear();
    file.rewind()
        .await
        .map_err(|error| io_error(error, format!("cannot read {}", path.display())))?;

    let bar = progress_bar(size, "uploading");
    let (failed, failure) = oneshot::channel();
    let stream = upload_stream(Sending {
        header: Some(UploadFileRequest {
            part: Some(upload_file_request::Part::Header(UploadFileHeader {
                parent: args.parent,
                file_name,
                content_type,
                expected_sha256: sha256.clone(),
            })),
        }),
        file,
        path: path.clone(),
        hasher: Sha256::new(),
        expected_sha256: sha256,
        expected_size: size,
        sent: 0,
        bar: bar.clone(),
        failed: Some(failed),
    });
    let request = ctx.request(stream)?;
    let mut client = ctx.transfers();
    let result = tokio::select! {
        result = client.upload_file(request) => result.map(|response| response.into_inner()).map_err(|status| ctx.rpc_error(status)),
        Ok(error) = failure => Err(error),
        Ok(()) = tokio::signal::ctrl_c() => Err(interrupted(ctx)),
    };
    bar.finish_and_clear();
    let stored = result?;
    print_file(ctx, &stored, None)
}

fn interrupted(ctx: &Ctx) -> CliError {
    ctx.rpc_error(Status::cancelled("interrupted (Ctrl-C)"))
}

/// The partial download: `PATH.part`, removed unless it is kept.
struct PartFile {
    path: PathBuf,
    file: Option<tokio::fs::File>,
}

impl PartFile {
    async fn create(path: PathBuf) -> Result<Self, CliError> {
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|error| io_error(error, format!("cannot create {}", path.display())))?;
        Ok(PartFile { path, file: Some(file) })
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        if let Some(file) = &mut self.file {
            file.write_all(bytes)
                .await
                .map_err(|error| io_error(error, format!("cannot write {}", self.path.display())))?;
        }
        Ok(())
    }

    /// Flushes to disk and renames to `target`.
    async fn keep(mut self, target: &Path) -> Result<(), CliError> {
        if let Some(mut file) = self.file.take() {
            let written = async {
                file.flush().await?;
                file.sync_all().await
            };
            written
                .await
                .map_err(|error| io_error(error, format!("cannot write {}", self.path.display())))?;
        }
        tokio::fs::rename(&self.path, target)
            .await
            .map_err(|error| io_error(error, format!("cannot move the download to {}", target.display())))?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Saves `bytes` at `target` through `target.part`, so that a failure never
/// leaves half a file under the final name.
pub async fn save_bytes(target: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut part = PartFile::create(part_path(target)).await?;
    part.write(bytes).await?;
    part.keep(target).await
}

/// A name the server suggests as a local file name: its last component, or
/// `fallback` when that is not a usable name.
pub fn safe_file_name(suggested: &str, fallback: &str) -> String {
    let name = suggested.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name == "." || name == ".." {
        fallback.to_string()
    } else {
        name.to_string()
    }
}

/// `PATH.part`, beside `PATH`.
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".part");
    target.with_file_name(name)
}

/// A stored file's name as a local file name: its last component, or the
/// file's id when that is not a usable name.
pub fn local_file_name(file: &File) -> String {
    safe_file_name(&file.file_name, short_id(&file.name))
}

/// Refuses to replace an existing file without --force, for a command that
/// can also save elsewhere with --to.
pub fn check_target(target: &Path, force: bool) -> Result<(), CliError> {
    refuse_to_replace(
        target,
        force,
        "add --force to replace it, or save elsewhere with --to PATH",
    )
}

/// Refuses to write over a directory, or over an existing file without
/// --force; `advice` says what to do instead.
pub fn refuse_to_replace(target: &Path, force: bool, advice: &str) -> Result<(), CliError> {
    match std::fs::symlink_metadata(target) {
        Ok(metadata) if metadata.is_dir() => Err(CliError::Usage(format!("{} is a directory", target.display()))),
        Ok(_) if !force => Err(CliError::Usage(format!(
            "{} already exists: {advice}",
            target.display()
        ))),
        _ => Ok(()),
    }
}

/// Where a download goes: `--to` (a file, or a directory to put it in), else
/// its own name in the current directory. `None` while that depends on the
/// name the server sends.
fn early_target(to: Option<&Path>) -> Option<PathBuf> {
    to.filter(|to| !to.is_dir()).map(Path::to_path_buf)
}

/// `eiso docs download`.
pub async fn download(ctx: &Ctx, args: DownloadArgs) -> Result<(), CliError> {
    // When the path is known now, refuse before calling the server.
    if let Some(target) = early_target(args.to.as_deref()) {
        check_target(&target, args.force)?;
    }
    let request = ctx.request(DownloadFileRequest { name: args.file })?;
    let mut client = ctx.transfers();
    let mut stream = ctx.answer(client.download_file(request)).await?;
    let file = match stream.message().await.map_err(|status| ctx.rpc_error(status))? {
        Some(message) => match message.part {
            Some(download_file_response::Part::File(file)) => file,
            _ => return Err(anyhow::anyhow!("the server sent content before the file's description").into()),
        },
        None => return Err(anyhow::anyhow!("the server ended the download without sending the file").into()),
    };
    let target = match (early_target(args.to.as_deref()), args.to) {
        (Some(target), _) => target,
        (None, Some(directory)) => directory.join(local_file_name(&file)),
        (None, None) => PathBuf::from(local_file_name(&file)),
    };
    check_target(&target, args.force)?;
    let expected_size = u64::try_from(file.size).unwrap_or_default();

    let mut part = PartFile::create(part_path(&target)).await?;
    let bar = progress_bar(expected_size, "downloading");
    let received = tokio::select! {
        received = receive(ctx, &mut stream, &mut part, &bar, expected_size) => received,
        Ok(()) = tokio::signal::ctrl_c() => Err(interrupted(ctx)),
    };
    bar.finish_and_clear();
    let (sha256, size) = received?;
    check_received(&file, &sha256, size)?;
    part.keep(&target).await?;
    print_file(ctx, &file, Some(&target))
}

/// A local failure (exit 3) unless what arrived is what `file` describes.
pub fn check_received(file: &File, sha256: &str, size: u64) -> Result<(), CliError> {
    if u64::try_from(file.size).ok() != Some(size) {
        return Err(anyhow::anyhow!(
            "received {size} bytes of {}, which the server says has {}: nothing was saved",
            file.name,
            file.size
        )
        .into());
    }
    if sha256 != file.sha256 {
        return Err(anyhow::anyhow!(
            "the content received has SHA-256 {sha256}, not {} as the server describes {}: nothing was saved",
            file.sha256,
            file.name
        )
        .into());
    }
    Ok(())
}

/// Writes the chunks to `part`; returns their SHA-256 and size.
async fn receive(
    ctx: &Ctx,
    stream: &mut eiso_proto::tonic::Streaming<eiso_proto::eiso::documents::v1::DownloadFileResponse>,
    part: &mut PartFile,
    bar: &ProgressBar,
    expected_size: u64,
) -> Result<(String, u64), CliError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(message) = stream.message().await.map_err(|status| ctx.rpc_error(status))? {
        match message.part {
            Some(download_file_response::Part::Chunk(chunk)) => {
                size += chunk.len() as u64;
                if size > expected_size {
                    return Err(anyhow::anyhow!(
                        "the server sent more than the {expected_size} bytes it announced: nothing was saved"
                    )
                    .into());
                }
                hasher.update(&chunk);
                part.write(&chunk).await?;
                bar.inc(chunk.len() as u64);
            }
            Some(download_file_response::Part::File(_)) => {
                return Err(anyhow::anyhow!("the server described the file twice: nothing was saved").into());
            }
            None => {}
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

fn print_file(ctx: &Ctx, file: &File, saved: Option<&Path>) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&match saved {
            Some(path) => json!({ "file": file_json(file), "path": path.display().to_string() }),
            None => file_json(file),
        });
    }
    let mut rows = vec![
        ("name", file.name.clone()),
        ("file name", file.file_name.clone()),
        ("content type", file.content_type.clone()),
        ("size", format!("{} ({} bytes)", format_size(file.size), file.size)),
        ("sha256", file.sha256.clone()),
        ("created", local_cell(file.create_time.as_ref())),
    ];
    if let Some(path) = saved {
        rows.push(("saved to", path.display().to_string()));
    }
    output::print_table(&details_table(rows))
}

/// Files for a table: what `eiso docs download` takes, and what to expect.
pub fn files_table(files: &[File]) -> comfy_table::Table {
    let mut table = table(["NAME", "FILE NAME", "SIZE", "SHA-256", "ADDED"]);
    for file in files {
        table.add_row(vec![
            file.name.clone(),
            file.file_name.clone(),
            format_size(file.size),
            file.sha256.clone(),
            local_cell(file.create_time.as_ref()),
        ]);
    }
    table
}

/// A file for JSON output.
pub fn file_json(file: &File) -> Value {
    json!({
        "name": file.name,
        "file_name": file.file_name,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "create_time": json_time(file.create_time.as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(guess_content_type(Path::new("QT-01.PDF")), "application/pdf");
        assert_eq!(
            guess_content_type(Path::new("Quy trình.docx")),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(guess_content_type(Path::new("a.jpeg")), "image/jpeg");
        assert_eq!(guess_content_type(Path::new("a.xls")), "application/vnd.ms-excel");
        assert_eq!(guess_content_type(Path::new("README")), "application/octet-stream");
        assert_eq!(guess_content_type(Path::new("x.tar.gz")), "application/octet-stream");
    }

    #[test]
    fn a_download_that_does_not_match_its_digest_fails_with_exit_3() {
        let content = b"Quy trinh tiep nhan ho so";
        let file = File {
            name: "documents/d/revisions/1/files/f-1".to_string(),
            size: content.len() as i64,
            sha256: hex::encode(Sha256::digest(content)),
            ..File::default()
        };
        assert!(check_received(&file, &file.sha256, content.len() as u64).is_ok());
        let other = hex::encode(Sha256::digest(b"something else"));
        let error = check_received(&file, &other, content.len() as u64).err();
        assert_eq!(error.as_ref().map(CliError::exit_code), Some(crate::error::EXIT_LOCAL));
        let text = error.map(|error| error.to_string()).unwrap_or_default();
        assert!(text.contains("nothing was saved") && text.contains(&other), "{text}");
        let error = check_received(&file, &file.sha256, 3).err();
        assert_eq!(error.as_ref().map(CliError::exit_code), Some(crate::error::EXIT_LOCAL));
    }

    #[test]
    fn downloads_land_beside_as_part_files() {
        assert_eq!(part_path(Path::new("/tmp/a.pdf")), PathBuf::from("/tmp/a.pdf.part"));
        assert_eq!(part_path(Path::new("a.pdf")), PathBuf::from("a.pdf.part"));
    }

    #[test]
    fn local_names_never_leave_the_directory() {
        let file = |file_name: &str| File {
            name: "documents/d/revisions/1/files/f-1".to_string(),
            file_name: file_name.to_string(),
            ..File::default()
        };
        assert_eq!(local_file_name(&file("Quy trình.pdf")), "Quy trình.pdf");
        assert_eq!(local_file_name(&file("../../etc/passwd")), "passwd");
        assert_eq!(local_file_name(&file("..")), "f-1");
        assert_eq!(local_file_name(&file("")), "f-1");
        assert_eq!(local_file_name(&file("a\\b.doc")), "b.doc");
    }

    #[test]
    fn an_existing_file_is_kept_without_force() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a.pdf");
        assert!(check_target(&path, false).is_ok());
        std::fs::write(&path, b"x")?;
        assert!(matches!(check_target(&path, false), Err(CliError::Usage(_))));
        assert!(check_target(&path, true).is_ok());
        assert!(matches!(check_target(dir.path(), true), Err(CliError::Usage(_))));
        Ok(())
    }

    #[tokio::test]
    async fn a_part_file_is_removed_unless_kept() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("a.pdf");
        let mut part = PartFile::create(part_path(&target)).await?;
        part.write(b"half").await?;
        assert!(part_path(&target).exists());
        drop(part);
        assert!(!part_path(&target).exists());

        let mut part = PartFile::create(part_path(&target)).await?;
        part.write(b"whole").await?;
        part.keep(&target).await?;
        assert!(!part_path(&target).exists());
        assert_eq!(std::fs::read(&target)?, b"whole");
        Ok(())
    }

    async fn sent_by(content: &[u8], change_after_hashing: bool) -> (Vec<UploadFileRequest>, Option<CliError>) {
        let dir = tempfile::tempdir().ok();
        let path = dir.as_ref().map(|dir| dir.path().join("a.bin")).unwrap_or_default();
        let _ = std::fs::write(&path, content);
        let Ok(mut file) = tokio::fs::File::open(&path).await else {
            return (Vec::new(), None);
        };
        let bar = ProgressBar::hidden();
        let Ok((sha256, size)) = hash_file(&mut file, &path, &bar).await else {
            return (Vec::new(), None);
        };
        let _ = file.rewind().await;
        if change_after_hashing {
            let _ = std::fs::write(&path, [content, b"!"].concat());
        }
        let (failed, mut failure) = oneshot::channel();
        let stream = upload_stream(Sending {
            header: Some(UploadFileRequest {
                part: Some(upload_file_request::Part::Header(UploadFileHeader::default())),
            }),
            file,
            path,
            hasher: Sha256::new(),
            expected_sha256: sha256,
            expected_size: size,
            sent: 0,
            bar,
            failed: Some(failed),
        });
        // A failed stream never ends: stop reading once the failure is reported.
        let mut stream = Box::pin(stream);
        let mut messages = Vec::new();
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => messages.push(message),
                    None => return (messages, None),
                },
                Ok(error) = &mut failure => return (messages, Some(error)),
            }
        }
    }

    #[tokio::test]
    async fn uploads_send_the_header_then_1_mib_chunks() {
        let content: Vec<u8> = (0..(2 * CHUNK_BYTES + 10)).map(|i| (i % 251) as u8).collect();
        let (messages, failure) = sent_by(&content, false).await;
        assert!(failure.is_none());
        assert!(matches!(
            messages.first().and_then(|message| message.part.as_ref()),
            Some(upload_file_request::Part::Header(_))
        ));
        let chunks: Vec<&Vec<u8>> = messages
            .iter()
            .filter_map(|message| match &message.part {
                Some(upload_file_request::Part::Chunk(chunk)) => Some(chunk),
                _ => None,
            })
            .collect();
        assert_eq!(
            chunks.iter().map(|chunk| chunk.len()).collect::<Vec<_>>(),
            [CHUNK_BYTES, CHUNK_BYTES, 10]
        );
        assert_eq!(chunks.into_iter().flatten().copied().collect::<Vec<u8>>(), content);

        let (messages, failure) = sent_by(b"", false).await;
        assert_eq!(messages.len(), 1, "an empty file is its header alone");
        assert!(failure.is_none());
    }

    #[tokio::test]
    async fn a_file_changed_during_the_upload_fails_instead_of_ending() {
        let (_, failure) = sent_by(b"Quy trinh", true).await;
        let text = failure.map(|error| error.to_string()).unwrap_or_default();
        assert!(text.contains("changed while it was being uploaded"), "{text}");
    }
}
