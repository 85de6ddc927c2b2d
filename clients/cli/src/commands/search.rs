//! `eiso search "…"`, `eiso search status` and `eiso search rebuild`.

use std::io::{self, IsTerminal};
use std::time::Duration;

use eiso_proto::eiso::search::v1::{
    GetIndexStatusRequest, IndexStatus, RebuildIndexRequest, SearchRequest, SearchResponse, SearchResult,
    rebuild_progress,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use super::{list_pages, note_next_page};
use crate::cli::{SearchArgs, SearchCommand};
use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{self, json_time, local_cell, table};

/// How often `rebuild` asks for progress.
const POLL: Duration = Duration::from_millis(250);

/// Runs `eiso search …`.
pub async fn run(ctx: &Ctx, args: SearchArgs) -> Result<(), CliError> {
    match args.command {
        Some(SearchCommand::Status) => status(ctx).await,
        Some(SearchCommand::Rebuild { no_wait }) => rebuild(ctx, no_wait).await,
        None => search(ctx, args).await,
    }
}

async fn search(ctx: &Ctx, args: SearchArgs) -> Result<(), CliError> {
    let query = args.query.join(" ");
    if query.trim().is_empty() {
        return Err(CliError::Usage(
            "give the words to search for, e.g. eiso search \"ho so chuyen truong\"".to_string(),
        ));
    }
    // Totals and facets come with every page; the last one is kept.
    let last: std::cell::RefCell<Option<SearchResponse>> = Default::default();
    let (results, next) = list_pages(
        ctx,
        &args.page,
        |page_size, page_token| SearchRequest {
            query: query.clone(),
            kinds: args.kind.clone(),
            units: args.unit.clone(),
            types: args.r#type.clone(),
            statuses: args.status.clone(),
            order_by: if args.newest {
                "update_time desc".into()
            } else {
                String::new()
            },
            page_size,
            page_token,
        },
        ctx.search(),
        |mut client, request| async move { client.search(request).await },
        |mut answer| {
            let results = std::mem::take(&mut answer.results);
            let next = answer.next_page_token.clone();
            *last.borrow_mut() = Some(answer);
            (results, next)
        },
    )
    .await?;
    let response = last.into_inner().unwrap_or_default();

    if ctx.json() {
        return output::print_json(&json!({
            "results": results.iter().map(result_json).collect::<Vec<_>>(),
            "total_size": response.total_size,
            "facets": response.facets.iter().map(|f| json!({"facet": f.facet, "value": f.value, "count": f.count})).collect::<Vec<_>>(),
            "suggestion": response.suggestion,
            "spelled_alike": response.spelled_alike,
            "partial": response.partial,
            "next_page_token": next,
        }));
    }
    if results.is_empty() {
        output::print(&format!("nothing found for \"{query}\""))?;
        return Ok(());
    }
    let bold = io::stdout().is_terminal();
    let mut text = notices(&response);
    for (i, result) in results.iter().enumerate() {
        text.push_str(&format!(
            "{:>3}. [{}] {}\n     {}  {}\n",
            i + 1,
            result.kind,
            result.title,
            result.name,
            local_cell(result.update_time.as_ref())
        ));
        if !result.applicant.is_empty() {
            text.push_str(&format!("     applicant: {}\n", result.applicant));
        }
        if !result.snippet.is_empty() {
            text.push_str(&format!("     {}\n", highlighted(result, bold)));
        }
    }
    text.push_str(&format!("{} found", response.total_size));
    let kinds: Vec<String> = response
        .facets
        .iter()
        .filter(|f| f.facet == "kind")
        .map(|f| format!("{} {}", f.value, f.count))
        .collect();
    if !kinds.is_empty() {
        text.push_str(&format!(" ({})", kinds.join(", ")));
    }
    output::print(&text)?;
    note_next_page(&next);
    Ok(())
}

/// What the service says of how the results were found, before them: the query
/// respelled (in the words the office's users see on the web page too), and whether
/// the results have only some of the words.
pub fn notices(response: &SearchResponse) -> String {
    let mut text = String::new();
    if !response.suggestion.is_empty() {
        text.push_str(&format!("Có phải bạn muốn tìm: {}?\n", response.suggestion));
    }
    if response.partial {
        text.push_str("no item has all the words: these have some of them, the most first\n");
    } else if response.spelled_alike {
        text.push_str("some results have words spelled alike instead; those with the words as typed come first\n");
    }
    text
}

/// The snippet on one line with its matched words marked: bold on a
/// terminal, `[…]` otherwise.
pub fn highlighted(result: &SearchResult, bold: bool) -> String {
    let (open, close) = if bold { ("\u{1b}[1m", "\u{1b}[0m") } else { ("[", "]") };
    let chars: Vec<char> = result.snippet.chars().collect();
    let mut out = String::new();
    let mut at = 0usize;
    for highlight in &result.highlights {
        let (start, end) = (highlight.start.max(0) as usize, highlight.end.max(0) as usize);
        if start < at || end > chars.len() || start >= end {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str(open);
        out.extend(&chars[start..end]);
        out.push_str(close);
        at = end;
    }
    out.extend(&chars[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn result_json(result: &SearchResult) -> Value {
    json!({
        "name": result.name,
        "kind": result.kind,
        "title": result.title,
        "snippet": result.snippet,
        "highlights": result.highlights.iter().map(|h| json!([h.start, h.end])).collect::<Vec<_>>(),
        "score": result.score,
        "unit": result.unit,
        "type": result.r#type,
        "status": result.status,
        "update_time": json_time(result.update_time.as_ref()),
        "applicant": result.applicant,
    })
}

async fn get_status(ctx: &Ctx) -> Result<IndexStatus, CliError> {
    let request = ctx.request(GetIndexStatusRequest {})?;
    ctx.answer(ctx.search().get_index_status(request)).await
}

fn state_label(state: i32) -> &'static str {
    match rebuild_progress::State::try_from(state) {
        Ok(rebuild_progress::State::Running) => "running",
        Ok(rebuild_progress::State::Done) => "done",
        Ok(rebuild_progress::State::Failed) => "failed",
        _ => "none",
    }
}

fn status_json(status: &IndexStatus) -> Value {
    json!({
        "streams": status.streams.iter().map(|s| json!({
            "stream": s.stream, "indexed_sequence": s.indexed_sequence,
            "head_sequence": s.head_sequence, "lag": s.lag,
        })).collect::<Vec<_>>(),
        "document_count": status.document_count,
        "index_bytes": status.index_bytes,
        "schema_version": status.schema_version,
        "commit_time": json_time(status.commit_time.as_ref()),
        "rebuild": status.rebuild.as_ref().map(|r| json!({
            "state": state_label(r.state), "reason": r.reason,
            "start_time": json_time(r.start_time.as_ref()), "end_time": json_time(r.end_time.as_ref()),
            "events": r.events, "documents": r.documents, "bytes": r.bytes,
            "events_remaining": r.events_remaining,
            "documents_per_second": r.documents_per_second, "megabytes_per_second": r.megabytes_per_second,
            "error": r.error,
        })),
        "quarantined_events": status.quarantined_events.iter().map(|q| json!({
            "stream": q.stream, "sequence": q.sequence, "resource": q.resource,
            "reason": q.reason, "attempts": q.attempts,
            "quarantine_time": json_time(q.quarantine_time.as_ref()),
        })).collect::<Vec<_>>(),
        "quarantined_event_count": status.quarantined_event_count,
    })
}

/// The quarantined events as a table, and how many are not shown.
fn quarantine_text(status: &IndexStatus) -> Option<(comfy_table::Table, String)> {
    if status.quarantined_event_count == 0 && status.quarantined_events.is_empty() {
        return None;
    }
    let mut rows = table(["STREAM", "SEQUENCE", "RESOURCE", "ATTEMPTS", "SINCE", "REASON"]);
    for event in &status.quarantined_events {
        let mut reason: String = event.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.chars().count() > 80 {
            reason = reason.chars().take(79).chain(['…']).collect();
        }
        rows.add_row(vec![
            event.stream.clone(),
            event.sequence.to_string(),
            event.resource.clone(),
            event.attempts.to_string(),
            local_cell(event.quarantine_time.as_ref()),
            reason,
        ]);
    }
    let shown = status.quarantined_events.len() as i64;
    let mut note = format!(
        "{} quarantined event(s): each item is indexed by name only until a later event for it is indexed",
        status.quarantined_event_count
    );
    if status.quarantined_event_count > shown {
        note.push_str(&format!(" (the {shown} most recent shown)"));
    }
    Some((rows, note))
}

async fn status(ctx: &Ctx) -> Result<(), CliError> {
    let status = get_status(ctx).await?;
    if ctx.json() {
        return output::print_json(&status_json(&status));
    }
    let mut streams = table(["STREAM", "INDEXED", "HEAD", "LAG"]);
    for stream in &status.streams {
        streams.add_row(vec![
            stream.stream.clone(),
            stream.indexed_sequence.to_string(),
            stream.head_sequence.to_string(),
            stream.lag.to_string(),
        ]);
    }
    output::print_table(&streams)?;
    let mut text = format!(
        "{} items, {} on disk, schema {}, last commit {}",
        status.document_count,
        output::format_size(status.index_bytes),
        status.schema_version,
        local_cell(status.commit_time.as_ref())
    );
    if let Some(rebuild) = &status.rebuild {
        text.push_str(&format!(
            "\nlast rebuild ({}): {}, {} items, {} events to go, {:.0} items/s, {:.2} MB/s{}",
            rebuild.reason,
            state_label(rebuild.state),
            rebuild.documents,
            rebuild.events_remaining,
            rebuild.documents_per_second,
            rebuild.megabytes_per_second,
            if rebuild.error.is_empty() {
                String::new()
            } else {
                format!(": {}", rebuild.error)
            }
        ));
    }
    output::print(&text)?;
    if let Some((rows, note)) = quarantine_text(&status) {
        output::print(&note)?;
        output::print_table(&rows)?;
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("rebuilding [{bar:30}] {pos}/{len} events {msg}")
        .map(|style| style.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

async fn rebuild(ctx: &Ctx, no_wait: bool) -> Result<(), CliError> {
    let request = ctx.request(RebuildIndexRequest {})?;
    let mut status = ctx.answer(ctx.search().rebuild_index(request)).await?;
    let bar = if no_wait { ProgressBar::hidden() } else { progress_bar() };
    if !no_wait {
        while let Some(progress) = status.rebuild.clone() {
            bar.set_length((progress.events + progress.events_remaining).max(1) as u64);
            bar.set_position(progress.events as u64);
            bar.set_message(format!("{} items", progress.documents));
            if progress.state != rebuild_progress::State::Running as i32 {
                break;
            }
            tokio::time::sleep(POLL).await;
            status = get_status(ctx).await?;
        }
    }
    bar.finish_and_clear();
    let progress = status.rebuild.clone().unwrap_or_default();
    if ctx.json() {
        output::print_json(&status_json(&status))?;
    } else if progress.state == rebuild_progress::State::Running as i32 {
        output::print("rebuild started; follow it with `eiso search status`")?;
    } else if progress.state == rebuild_progress::State::Done as i32 {
        let seconds = match (&progress.start_time, &progress.end_time) {
            (Some(start), Some(end)) => (end.seconds - start.seconds) as f64 + (end.nanos - start.nanos) as f64 / 1e9,
            _ => 0.0,
        };
        output::print(&format!(
            "rebuilt: {} items, {:.2} MB of text from {} events in {seconds:.1} s ({:.0} items/s, {:.2} MB/s)",
            progress.documents,
            progress.bytes as f64 / 1e6,
            progress.events,
            progress.documents_per_second,
            progress.megabytes_per_second
        ))?;
    }
    if progress.state == rebuild_progress::State::Failed as i32 {
        return Err(anyhow::anyhow!(
            "the rebuild failed (the previous index keeps serving): {}",
            progress.error
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use eiso_proto::eiso::search::v1::Highlight;

    use super::*;

    #[test]
    fn highlights_are_marked_by_code_points() {
        let result = SearchResult {
            snippet: "Tiếp nhận hồ sơ\nchuyển trường".into(),
            highlights: vec![Highlight { start: 16, end: 22 }, Highlight { start: 23, end: 29 }],
            ..Default::default()
        };
        assert_eq!(highlighted(&result, false), "Tiếp nhận hồ sơ [chuyển] [trường]");
        // Ranges outside the snippet are ignored, not a panic.
        let broken = SearchResult {
            snippet: "ngắn".into(),
            highlights: vec![Highlight { start: 2, end: 40 }],
            ..Default::default()
        };
        assert_eq!(highlighted(&broken, false), "ngắn");
    }

    #[test]
    fn the_suggestion_and_the_partial_notice_come_before_the_results() {
        assert_eq!(notices(&SearchResponse::default()), "");
        let respelt = SearchResponse {
            suggestion: "chuyển trường".into(),
            spelled_alike: true,
            ..Default::default()
        };
        assert_eq!(
            notices(&respelt),
            "Có phải bạn muốn tìm: chuyển trường?\nsome results have words spelled alike instead; those with \
             the words as typed come first\n"
        );
        let partial = SearchResponse {
            partial: true,
            ..Default::default()
        };
        assert_eq!(
            notices(&partial),
            "no item has all the words: these have some of them, the most first\n"
        );
    }

    #[test]
    fn quarantined_events_are_listed_with_their_count() {
        use eiso_proto::eiso::search::v1::QuarantinedEvent;
        assert!(quarantine_text(&IndexStatus::default()).is_none());
        let status = IndexStatus {
            quarantined_events: vec![QuarantinedEvent {
                stream: "documents".into(),
                sequence: 42,
                resource: "records/r1".into(),
                reason: format!("in flight\nduring a crash {}", "x".repeat(200)),
                attempts: 3,
                quarantine_time: None,
            }],
            quarantined_event_count: 150,
            ..Default::default()
        };
        let Some((rows, note)) = quarantine_text(&status) else {
            panic!("a status with quarantined events shows them");
        };
        assert!(note.starts_with("150 quarantined event(s)"), "{note}");
        assert!(note.ends_with("(the 1 most recent shown)"), "{note}");
        let rows = rows.to_string();
        assert!(
            rows.contains("records/r1") && rows.contains("in flight during a crash"),
            "{rows}"
        );
        assert!(!rows.contains(&"x".repeat(100)), "reasons are cut: {rows}");
        assert_eq!(status_json(&status)["quarantined_events"][0]["sequence"], 42);
    }
}
