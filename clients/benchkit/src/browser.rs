//! A browser as far as the web app's tests need one: HTTP/1.1 requests to the
//! server's own port, its cookies kept, redirects reported (not followed), and
//! the hidden form fields of a page read back.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// One page's answer.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: http::HeaderMap,
    pub body: String,
    /// The body as sent (a download).
    pub bytes: Bytes,
}

impl Page {
    /// The value of the first `<input … name="{name}" … value="…">` on the page.
    pub fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        self.body
            .split('<')
            .filter(|tag| tag.starts_with("input"))
            .find_map(|tag| {
                if !tag.contains(&marker) {
                    return None;
                }
                let start = tag.find("value=\"")? + "value=\"".len();
                let end = tag[start..].find('"')? + start;
                Some(unescape(&tag[start..end]))
            })
    }
}

/// A browser with its cookie jar.
pub struct Browser {
    addr: SocketAddr,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            cookies: BTreeMap::new(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Puts a cookie in the jar, as a server would have set it.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(http::Method::GET, path, None, Full::new(Bytes::new())).await
    }

    /// Posts `body` as it is produced (a large upload, never held whole).
    pub async fn post_stream<B>(&mut self, path: &str, content_type: &str, body: B) -> Page
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.send(http::Method::POST, path, Some(content_type.to_string()), body)
            .await
    }

    /// Submits a form (`application/x-www-form-urlencoded`).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let content_type = "application/x-www-form-urlencoded";
        self.post_stream(path, content_type, Full::new(Bytes::from(body))).await
    }

    /// Submits a `multipart/form-data` form: its text fields in order, then
    /// its files as (field, file name, content type, content).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Page {
        const BOUNDARY: &str = "----eiso-test-boundary-7d1f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, content_type, content) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.post_stream(path, &content_type, Full::new(Bytes::from(body)))
            .await
    }

    async fn send<B>(&mut self, method: http::Method, path: &str, content_type: Option<String>, body: B) -> Page
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("the server listens");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("an HTTP/1.1 connection");
        tokio::spawn(connection);
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, self.addr.to_string());
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(http::header::COOKIE, jar);
        }
        if let Some(content_type) = content_type {
            request = request.header(http::header::CONTENT_TYPE, content_type);
        }
        let response = sender
            .send_request(request.body(body).expect("a request"))
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for set in headers.get_all(http::header::SET_COOKIE) {
            let set = set.to_str().unwrap_or("");
            let pair = set.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let expired = set.contains("Max-Age=0");
                if value.is_empty() || expired {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let location = headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.into_body().collect().await.expect("a body").to_bytes();
        Page {
            status,
            location,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// Signs in through the sign-in page; panics unless it succeeds.
    pub async fn sign_in(&mut self, username: &str, password: &str) {
        let form = self.get("/dang-nhap").await;
        let csrf = form.input("csrf").expect("the sign-in form carries a CSRF field");
        let page = self
            .post(
                "/dang-nhap",
                &[
                    ("csrf", &csrf),
                    ("tiep", "/"),
                    ("ten_dang_nhap", username),
                    ("mat_khau", password),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "sign-in of {username} failed: {}", page.body);
    }

    /// The CSRF value the pages' forms carry.
    pub fn csrf(&self) -> String {
        self.cookie("eiso_csrf").expect("a CSRF cookie").to_string()
    }
}

/// An attribute's value as a browser reads it: the entities the templates
/// write decoded.
fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Percent-encodes a form value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
