//! A request body that hands on one frame per poll. A reader that drains
//! its source "until nothing is ready" (the multipart parser under axum's
//! `Multipart` does) would otherwise copy everything the connection has
//! received into its own buffer before the file's consumer takes any: with a
//! fast client and a slower disk, tens of MiB. Answering `Pending` (with an
//! immediate wake-up) after each frame stops that loop, so at most about one
//! frame waits between the socket and the store.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};

pub struct Paced {
    inner: Body,
    /// A frame was just handed on: the next poll yields to the reader.
    yielded: bool,
}

impl Paced {
    pub fn new(inner: Body) -> Self {
        Self { inner, yielded: false }
    }
}

impl http_body::Body for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.yielded {
            self.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(Some(Ok(_)))) {
            self.yielded = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use http_body::Body as _;

    #[tokio::test]
    async fn every_frame_arrives_in_order_with_a_pause_after_each() {
        let chunks = futures::stream::iter(["a", "bc", "def"].map(|s| Ok::<_, std::io::Error>(Bytes::from(s))));
        let mut paced = Paced::new(Body::from_stream(chunks));
        // Polled by hand: a frame, then Pending, then the next frame.
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let first = Pin::new(&mut paced).poll_frame(&mut cx);
        assert!(matches!(first, Poll::Ready(Some(Ok(_)))));
        assert!(Pin::new(&mut paced).poll_frame(&mut cx).is_pending());
        // Read to the end as a reader would: everything, in order.
        let rest = Body::new(paced)
            .into_data_stream()
            .map(|c| c.expect("a chunk"))
            .collect::<Vec<_>>()
            .await;
        let rest: Vec<u8> = rest.concat();
        assert_eq!(rest, b"bcdef");
    }
}
