//! `pages`: how long the web app takes to answer its heaviest pages over the
//! seeded dossiers — the dossier lists (the counter clerk's) and the leader's
//! dashboard for a quarter and for the year — and the size of the pages' own
//! CSS and JavaScript. Each page is asked once to warm up, then `--repeat`
//! times, one after the other, through the server's port as a browser asks
//! (HTTP/1.1, the session cookie).

use std::net::SocketAddr;

use anyhow::{Context as _, bail};
use eiso_benchkit::browser::Browser;
pub use eiso_benchkit::pages::Page;

/// What `pages` measures, and as whom.
pub struct Plan<'a> {
    pub server: &'a str,
    pub counter: (&'a str, &'a str),
    pub leader: (&'a str, &'a str),
    pub year: i32,
    pub procedure: &'a str,
    pub repeat: u32,
}

/// The pages' timings, and the size of the app's CSS and JavaScript.
pub async fn run(plan: &Plan<'_>) -> anyhow::Result<(Vec<Page>, usize)> {
    let addr: SocketAddr = plan
        .server
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .with_context(|| format!("`{}` is not http://IP:PORT", plan.server))?;
    let year = plan.year;
    let code = plan.procedure.trim_start_matches("procedures/");
    let mut counter = Browser::new(addr);
    counter.sign_in(plan.counter.0, plan.counter.1).await;
    let mut leader = Browser::new(addr);
    leader.sign_in(plan.leader.0, plan.leader.1).await;
    let pages: Vec<(&'static str, String)> = vec![
        ("counter clerk", "/ho-so".into()),
        ("counter clerk", "/ho-so?loai=qua-han".into()),
        ("counter clerk", "/ho-so?loai=dang-xu-ly".into()),
        (
            "counter clerk",
            format!("/ho-so?thu_tuc={code}&tu_ngay={year}-03-01&den_ngay={year}-03-31"),
        ),
        ("leader", format!("/tong-quan?nam={year}&ky=q1")),
        ("leader", format!("/tong-quan?nam={year}&ky=")),
    ];
    let mut out = Vec::new();
    for (who, path) in pages {
        let browser = if who == "leader" { &mut leader } else { &mut counter };
        out.push(Page::time(browser, who, path, plan.repeat).await?);
    }
    let mut assets = 0;
    for asset in ["/static/app.css", "/static/app.js"] {
        let page = counter.get(asset).await;
        if page.status != 200 {
            bail!("GET {asset} answered {}", page.status);
        }
        assets += page.bytes.len();
    }
    Ok((out, assets))
}
