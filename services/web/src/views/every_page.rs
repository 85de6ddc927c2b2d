//! A list read to its end, a page at a time.

use std::future::Future;

use eiso_platform::ServiceError;

use crate::error::PageError;

/// Every item of a list, read a page after another, `max_pages` pages at
/// most: `read` answers the page at a token (empty for the first) as its
/// items and the next page's token, empty after the last page.
pub async fn every_page<T, Page>(max_pages: usize, mut read: impl FnMut(String) -> Page) -> Result<Vec<T>, PageError>
where
    Page: Future<Output = Result<(Vec<T>, String), ServiceError>>,
{
    let mut items = Vec::new();
    let mut page_token = String::new();
    for _ in 0..max_pages {
        let (page, next_page_token) = read(page_token).await?;
        items.extend(page);
        if next_page_token.is_empty() {
            break;
        }
        page_token = next_page_token;
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of five items, two a page, each token the next item's index.
    async fn page_of_five(token: String) -> Result<(Vec<usize>, String), ServiceError> {
        let start: usize = if token.is_empty() {
            0
        } else {
            token.parse().unwrap_or(0)
        };
        let end = (start + 2).min(5);
        let next = if end < 5 { end.to_string() } else { String::new() };
        Ok(((start..end).collect(), next))
    }

    #[tokio::test]
    async fn reads_to_the_last_page_and_no_further_than_allowed() {
        let mut asked = Vec::new();
        let all = every_page(usize::MAX, |token| {
            asked.push(token.clone());
            page_of_five(token)
        })
        .await
        .ok();
        assert_eq!(all, Some(vec![0, 1, 2, 3, 4]));
        assert_eq!(asked, ["", "2", "4"]);
        let two_pages = every_page(2, page_of_five).await.ok();
        assert_eq!(two_pages, Some(vec![0, 1, 2, 3]));
    }

    #[tokio::test]
    async fn a_refused_page_refuses_the_list() {
        let refused = every_page(10, |_| async {
            Err::<(Vec<()>, String), _>(ServiceError::NotFound("x".into()))
        })
        .await;
        assert!(matches!(refused, Err(PageError::NotFound)), "{refused:?}");
    }
}
