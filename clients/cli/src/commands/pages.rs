//! Lists, page by page: fetching one page or, with `--all`, every page, and
//! printing a page with how to get the next one; and printing a list the
//! server answers whole.

use std::future::Future;

use comfy_table::Table;
use eiso_proto::tonic::{Request, Response, Status};
use serde_json::{Value, json};

use crate::cli::PageArgs;
use crate::context::Ctx;
use crate::error::CliError;
use crate::output;

/// Fetches one page starting at `page.page_token`, or with `--all` every page
/// until `next_page_token` is empty. `fetch` takes a page token and returns a
/// page and the next token. Returns the items and the token of the page after
/// the last one fetched (empty at the end).
pub async fn collect_pages<T, F, Fut>(page: &PageArgs, mut fetch: F) -> Result<(Vec<T>, String), CliError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, String), CliError>>,
{
    let mut items = Vec::new();
    let mut token = page.page_token.clone().unwrap_or_default();
    loop {
        let (mut batch, next) = fetch(token.clone()).await?;
        items.append(&mut batch);
        if !page.all || next.is_empty() {
            return Ok((items, next));
        }
        if next == token {
            return Err(anyhow::anyhow!("the server returned the same page token twice; stopped paging").into());
        }
        token = next;
    }
}

/// After a page printed as a table, tells how to get the next one.
pub fn note_next_page(next_page_token: &str) {
    if !next_page_token.is_empty() {
        output::note(&format!(
            "more results: add --all, or --page-token {next_page_token} for the next page"
        ));
    }
}

/// Calls a List method with [`collect_pages`]: `request` makes the request
/// for a page size and page token, `call` sends it with a clone of `client`,
/// and `items` takes the items and the next page token out of the answer.
pub async fn list_pages<C, Req, Resp, T, Fut>(
    ctx: &Ctx,
    page: &PageArgs,
    request: impl Fn(i32, String) -> Req,
    client: C,
    call: impl Fn(C, Request<Req>) -> Fut,
    items: impl Fn(Resp) -> (Vec<T>, String),
) -> Result<(Vec<T>, String), CliError>
where
    C: Clone,
    Fut: Future<Output = Result<Response<Resp>, Status>>,
{
    let (request, client, call, items) = (&request, &client, &call, &items);
    collect_pages(page, |page_token| async move {
        let request = ctx.request(request(page.page_size.unwrap_or_default(), page_token))?;
        Ok(items(ctx.answer(call(client.clone(), request)).await?))
    })
    .await
}

/// [`list_pages`] for a List method that answers its items in the field
/// `items` and the next page token:
/// `list_method!(ctx, &page, request, ctx.identity(), list_api_clients, api_clients)`
/// calls `list_api_clients` with the requests `request` makes for each page
/// and takes the `api_clients` out of each answer.
macro_rules! list_method {
    ($ctx:expr, $page:expr, $request:expr, $client:expr, $method:ident, $items:ident $(,)?) => {
        $crate::commands::list_pages(
            $ctx,
            $page,
            $request,
            $client,
            |mut client, request| async move { client.$method(request).await },
            |answer| (answer.$items, answer.next_page_token),
        )
    };
}
pub(crate) use list_method;

/// [`list_method!`] for a List method whose request is the standard one, the
/// page and the filter and order of [`QueryArgs`](crate::cli::QueryArgs):
/// `list_query!(ctx, args, ctx.identity(), list_units, ListUnitsRequest, units)`
/// lists the units.
macro_rules! list_query {
    ($ctx:expr, $query:expr, $client:expr, $method:ident, $request:ident, $items:ident) => {
        $crate::commands::list_method!(
            $ctx,
            &$query.page,
            |page_size, page_token| $request {
                page_size,
                page_token,
                filter: $query.filter.clone().unwrap_or_default(),
                order_by: $query.order_by.clone().unwrap_or_default(),
            },
            $client,
            $method,
            $items
        )
    };
}
pub(crate) use list_query;

/// Prints a page of a list: as JSON, `{"KEY": [...], "next_page_token": …}`;
/// as a table (or `empty` when there is nothing), then how to get the next
/// page.
pub fn print_page<T>(
    ctx: &Ctx,
    key: &str,
    items: &[T],
    next_page_token: &str,
    json: impl Fn(&T) -> Value,
    empty: &str,
    table: impl FnOnce(&[T]) -> Table,
) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({
            key: items.iter().map(json).collect::<Vec<_>>(),
            "next_page_token": next_page_token,
        }));
    }
    if items.is_empty() {
        output::print(empty)?;
    } else {
        output::print_table(&table(items))?;
    }
    note_next_page(next_page_token);
    Ok(())
}

/// Prints a list that comes whole: as JSON, `{"KEY": [...]}`; as a table with
/// `headers` and a `row` per item (the headers alone when there is nothing).
pub fn print_list<T, const N: usize>(
    ctx: &Ctx,
    key: &str,
    items: &[T],
    json: impl Fn(&T) -> Value,
    headers: [&str; N],
    row: impl Fn(&T) -> Vec<String>,
) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&json!({ key: items.iter().map(json).collect::<Vec<_>>() }));
    }
    let mut table = output::table(headers);
    for item in items {
        table.add_row(row(item));
    }
    output::print_table(&table)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    fn page_args(all: bool, page_token: Option<&str>) -> PageArgs {
        PageArgs {
            page_size: None,
            page_token: page_token.map(str::to_string),
            all,
        }
    }

    /// Three pages: "" → [1, 2] "p2" → [3] "p3" → [4] "".
    async fn fake_page(token: String) -> Result<(Vec<u32>, String), CliError> {
        Ok(match token.as_str() {
            "" => (vec![1, 2], "p2".to_string()),
            "p2" => (vec![3], "p3".to_string()),
            "p3" => (vec![4], String::new()),
            other => return Err(CliError::Usage(format!("unexpected token {other}"))),
        })
    }

    #[tokio::test]
    async fn all_follows_next_page_token_to_the_end() -> Result<(), CliError> {
        let seen = RefCell::new(Vec::new());
        let (items, next) = collect_pages(&page_args(true, None), |token| {
            seen.borrow_mut().push(token.clone());
            fake_page(token)
        })
        .await?;
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(next, "");
        assert_eq!(seen.into_inner(), vec!["", "p2", "p3"]);
        Ok(())
    }

    #[tokio::test]
    async fn without_all_one_page_and_its_next_token() -> Result<(), CliError> {
        let (items, next) = collect_pages(&page_args(false, Some("p2")), fake_page).await?;
        assert_eq!(items, vec![3]);
        assert_eq!(next, "p3");
        Ok(())
    }

    #[tokio::test]
    async fn a_server_repeating_its_token_does_not_loop_forever() {
        let result = collect_pages(&page_args(true, None), |_| async {
            Ok::<_, CliError>((vec![1], String::from("same")))
        })
        .await;
        assert!(result.is_err());
    }
}
