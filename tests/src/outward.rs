//! What the administration's pages of the outward deliveries (the
//! applicants' notifications, `/quan-tri/thong-bao`; the national portal's
//! sync, `/quan-tri/dong-bo`) are checked for alike, on a
//! [`SchoolWithDossier`]: its administrators and those of the office above
//! see a parked dossier and may send it again, those below and beside see
//! nothing of it and are refused; the counter's clerk reads neither; the
//! lists page fifty at a time and filter by unit; without the channel
//! configured the page says so.

use std::time::Duration;

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::{Channel, Dossier};

use crate::TestServer;
use crate::browser::{Browser, Page};
use crate::counter::{SchoolWithDossier, transfer_receipt};
use crate::web::id_of;

/// One of the outward pages, as its tests read it.
pub struct OutwardPage {
    /// The page's address.
    pub path: &'static str,
    /// How many rows a list page shows.
    pub rows: fn(&Page) -> usize,
    /// What an empty list says.
    pub none_listed: &'static str,
    /// What the page says without the channel configured.
    pub not_configured: &'static str,
    /// Whether a dossier's page shows its part (the section, the line).
    pub on_dossier_page: fn(&Page) -> bool,
    /// What the list's "Gửi lại" form sends as `ve` besides the CSRF value,
    /// if it has the field.
    pub back: Option<&'static str>,
}

/// The administrators around a school, each signed in to the web app: of
/// the school (with their name, `users/{id}`), of the office above, of the
/// team below and of the school beside.
pub struct Administrators {
    pub school_admin: String,
    pub at_school: Browser,
    pub above: Browser,
    pub below: Browser,
    pub beside: Browser,
}

impl OutwardPage {
    /// The "Gửi lại" form of `dossier`, as a page has it.
    pub fn resend_form(&self, dossier: &Dossier) -> String {
        format!(r#"action="{}/{}/gui-lai""#, self.path, id_of(dossier))
    }

    /// Presses "Gửi lại" for `dossier`, sending `back` as `ve` if given.
    pub async fn resend(&self, browser: &mut Browser, dossier: &Dossier, back: Option<&str>) -> Page {
        let csrf = browser.csrf();
        let mut fields = vec![("csrf", csrf.as_str())];
        if let Some(back) = back {
            fields.push(("ve", back));
        }
        browser
            .post(&format!("{}/{}/gui-lai", self.path, id_of(dossier)), &fields)
            .await
    }

    /// Presses "Gửi lại" for `dossier` on the list.
    pub async fn resend_from_list(&self, browser: &mut Browser, dossier: &Dossier) -> Page {
        self.resend(browser, dossier, self.back).await
    }

    /// Without the form's CSRF value nothing is sent.
    pub async fn forged_resend_is_refused(&self, browser: &mut Browser, dossier: &Dossier) {
        let forged = browser
            .post(
                &format!("{}/{}/gui-lai", self.path, id_of(dossier)),
                &[("csrf", "forged")],
            )
            .await;
        assert_eq!(forged.status, 403);
    }

    /// `who` (of the school or above) sees the one parked `dossier` with its
    /// button: the list page.
    pub async fn sees_parked(&self, who: &str, browser: &mut Browser, dossier: &Dossier) -> Page {
        let page = browser.get(self.path).await;
        assert_eq!(page.status, 200, "{who}");
        assert_eq!((self.rows)(&page), 1, "{who}: {}", page.body);
        assert!(page.body.contains(&self.resend_form(dossier)), "{who}");
        page
    }

    /// `who` (below or beside) sees nothing of `dossier`, cannot send it
    /// again, nor open it.
    pub async fn sees_none_of(&self, who: &str, browser: &mut Browser, dossier: &Dossier) {
        let page = browser.get(self.path).await;
        assert_eq!(page.status, 200, "{who}");
        assert_eq!((self.rows)(&page), 0, "{who}: {}", page.body);
        assert!(!page.body.contains(&dossier.code), "{who}");
        assert!(page.body.contains(self.none_listed), "{who}");
        let refused = self.resend_from_list(browser, dossier).await;
        assert_eq!(refused.status, 404, "{who}: {}", refused.body);
        let dossier_page = browser.get(&format!("/ho-so/{}", id_of(dossier))).await;
        assert_eq!(dossier_page.status, 404, "{who}: not their dossier");
    }

    /// A leader reads the list of the one parked dossier, without the button.
    pub async fn leader_reads_without_button(&self, leader: &mut Browser) {
        let page = leader.get(self.path).await;
        assert_eq!((page.status, (self.rows)(&page)), (200, 1), "{}", page.body);
        assert!(!page.body.contains("gui-lai"), "{}", page.body);
    }

    /// The counter's clerk (`mot.cua.a`) reads neither the page nor the
    /// dossier's part of it, nor has a link to it.
    pub async fn clerk_reads_neither(&self, server: &TestServer, dossier: &Dossier) {
        let mut clerk = server.browser_of("mot.cua.a").await;
        assert_eq!(clerk.get(self.path).await.status, 403);
        let clerk_view = clerk.get(&format!("/ho-so/{}", id_of(dossier))).await;
        assert_eq!(clerk_view.status, 200);
        assert!(!(self.on_dossier_page)(&clerk_view), "{}", clerk_view.body);
        assert!(!clerk.get("/").await.body.contains(self.path), "no link either");
    }

    /// Of `list` (a tab of the page): the school's fifty rows, none of the
    /// school beside (still chosen in the filter), and a bad filter refused.
    pub async fn filters_by_unit(&self, admin: &mut Browser, list: &str, school: &SchoolWithDossier) {
        let of_school = admin.get(&format!("{list}&don_vi={}", school.school.name)).await;
        assert_eq!((self.rows)(&of_school), 50);
        let beside = admin.get(&format!("{list}&don_vi={}", school.sibling.name)).await;
        assert_eq!((self.rows)(&beside), 0);
        assert!(beside.body.contains(&format!(
            r#"<option value="{}" selected>Trường THCS B</option>"#,
            school.sibling.name
        )));
        assert_eq!(
            admin
                .get(&format!("{}?don_vi=units%2F%22%20OR%201", self.path))
                .await
                .status,
            400
        );
    }

    /// On a server without the channel: the page says so and lists nothing,
    /// the home page has no card, the dossier's page no part, sending again
    /// finds nothing, and a role without the right is refused all the same.
    pub async fn says_it_is_not_configured(&self, server: &TestServer) {
        let school = server.school_with_dossier().await;
        let mut admin = server.browser_of("admin").await;
        let page = admin.get(self.path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(self.not_configured), "{}", page.body);
        assert!(!page.body.contains("<table"), "{}", page.body);
        assert!(
            !admin.get("/").await.body.contains(self.path),
            "no card on the home page"
        );
        let dossier_page = admin.get(&format!("/ho-so/{}", id_of(&school.dossier))).await;
        assert_eq!(dossier_page.status, 200);
        assert!(!(self.on_dossier_page)(&dossier_page), "{}", dossier_page.body);
        let refused = self.resend_from_list(&mut admin, &school.dossier).await;
        assert_eq!(refused.status, 404, "not configured: nothing to send");
        let mut clerk = server.browser_of("mot.cua.a").await;
        assert_eq!(clerk.get(self.path).await.status, 403);
    }
}

impl TestServer {
    /// The administrators around `school`'s school, signed in.
    pub async fn administrators_around(&self, school: &SchoolWithDossier) -> Administrators {
        let (school_admin, at_school) = self.signed_in_as("qt.truong", Role::Admin, &school.school.name).await;
        Administrators {
            school_admin,
            at_school,
            above: self.signed_in("qt.phong", Role::Admin, &school.office.unit.name).await,
            below: self.signed_in("qt.to", Role::Admin, &school.below.name).await,
            beside: self.signed_in("qt.truong.b", Role::Admin, &school.sibling.name).await,
        }
    }

    /// Fifty more dossiers received directly at `school`'s counter (by
    /// `mot.cua.a`), of applicants "Người nộp 0" to "Người nộp 49".
    pub async fn receive_fifty(&self, school: &SchoolWithDossier) {
        let clerk = self.login("mot.cua.a", "mot.cua.a-password").await.unwrap();
        let mut dossiers = self.dossiers(&clerk);
        for i in 0..50 {
            dossiers
                .receive_dossier(transfer_receipt(
                    &school.school.name,
                    &format!("Người nộp {i}"),
                    Channel::Direct,
                ))
                .await
                .unwrap();
        }
    }
}

/// Waits up to 40 s for `done`.
pub async fn until(done: impl Fn() -> bool) {
    for _ in 0..400 {
        if done() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
