//! The simulator driven over real HTTP, the way eiso's synchronisation client
//! talks to the portal.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use eiso_portal_sim::{Config, Fault, Simulator};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

const AGENCY: &str = "000.00.00.H12";
const OTHER_AGENCY: &str = "000.00.00.H99";
const LIFETIME: Duration = Duration::from_secs(600);

/// One answer: its HTTP status and body.
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    fn error_code(&self) -> i64 {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()["error_code"]
            .as_i64()
            .unwrap_or_else(|| panic!("no error_code: {}", self.body))
    }

    fn message(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_owned()
    }
}

/// Sends one HTTP/1.1 request on a new connection.
async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Reply {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut request = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, addr.to_string())
        .header(http::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let bytes = body
        .map(|body| serde_json::to_vec(body).expect("encode"))
        .unwrap_or_default();
    let request = request.body(Full::new(Bytes::from(bytes))).expect("request");
    let response = sender.send_request(request).await.expect("send");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        body: String::from_utf8(body.to_vec()).expect("UTF-8"),
    }
}

/// A simulator with two accounts of two agencies, and a client signed in to
/// the first.
struct Portal {
    sim: Simulator,
    session: String,
}

impl Portal {
    async fn start() -> Self {
        let config = Config {
            session_lifetime: LIFETIME,
            ..Config::default()
        }
        .with_account("canbo", "matkhau", AGENCY)
        .with_account("khac", "matkhau", OTHER_AGENCY);
        let sim = Simulator::start(config).await.expect("start");
        let session = login(sim.addr(), "canbo", "matkhau", AGENCY).await;
        Self { sim, session }
    }

    /// `POST /` with the session and agency added to `fields`.
    async fn call(&self, service: &str, fields: Value) -> Reply {
        self.call_as(&self.session, AGENCY, service, fields).await
    }

    async fn call_as(&self, session: &str, madonvi: &str, service: &str, fields: Value) -> Reply {
        let mut body = json!({ "session": session, "madonvi": madonvi, "service": service });
        if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
            body.extend(fields);
        }
        send(self.sim.addr(), "POST", "/", &[], Some(&body)).await
    }

    async fn sync(&self, updating: bool, dossiers: &[Value]) -> Reply {
        let is_updating = if updating { "True" } else { "False" };
        self.call("DongBoHoSoMC", json!({ "isUpdating": is_updating, "data": dossiers }))
            .await
    }

    async fn lookup(&self, ma_ho_so: &str) -> Reply {
        self.call("TraCuuHoSo", json!({ "MaHoSo": ma_ho_so })).await
    }
}

async fn login_reply(addr: SocketAddr, username: &str, password: &str, dstcode: &str) -> Reply {
    let body = json!({ "username": username, "password": password });
    send(addr, "POST", "/login", &[("dstcode", dstcode)], Some(&body)).await
}

async fn login(addr: SocketAddr, username: &str, password: &str, dstcode: &str) -> String {
    let reply = login_reply(addr, username, password, dstcode).await;
    assert_eq!(reply.error_code(), 0, "{}", reply.body);
    reply.json()["session"].as_str().expect("a session").to_owned()
}

/// A dossier as eiso sends it, received at the counter.
fn dossier(ma_ho_so: &str, status: &str) -> Value {
    json!({
        "MaHoSo": ma_ho_so,
        "MaTTHC": "1.001234",
        "TenTTHC": "Đăng ký khai sinh",
        "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch",
        "SoBienNhan": "BN-0001",
        "ChuHoSo": "Nguyễn Văn A",
        "LoaiDoiTuong": "1",
        "MaDoiTuong": "",
        "SoDienThoai": "0912345678",
        "Email": "a@example.invalid",
        "TrichYeuHoSo": "Khai sinh cho con",
        "NgayTiepNhan": "20250310083000",
        "NgayHenTra": "20250312170000",
        "TrangThaiHoSo": status,
        "NgayTra": "",
        "HinhThuc": "0",
        "NgayKetThucXuLy": "",
        "DonViXuLy": "UBND phường Bến Nghé",
        "GhiChu": "",
        "TaiLieuNop": [{ "TenTepDinhKem": "to-khai.pdf" }],
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [{ "TenGiayTo": "Giấy khai sinh", "DuocSoHoa": "1" }]
    })
}

/// `dossier` with `field` set to `value`.
fn with(mut dossier: Value, field: &str, value: Value) -> Value {
    dossier[field] = value;
    dossier
}

fn step(ma_ho_so: &str, at: &str, content: &str) -> Value {
    json!({
        "MaHoSo": ma_ho_so,
        "NguoiXuLy": "Trần Thị B",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": at,
        "PhongBanXuLy": "Bộ phận một cửa",
        "NoiDungXuLy": content,
        "TrangThai": "4",
        "NgayBatDau": "20250310083000",
        "NgayKetThucTheoQuyDinh": "20250312170000"
    })
}

#[tokio::test]
async fn sign_in_gives_a_session_and_wrong_credentials_are_refused() {
    let portal = Portal::start().await;
    let addr = portal.sim.addr();
    assert_eq!(portal.session.len(), 32);

    let wrong = login_reply(addr, "canbo", "sai", AGENCY).await;
    assert_eq!(wrong.error_code(), 1);
    assert_eq!(wrong.message(), "Sai tên đăng nhập hoặc mật khẩu");
    assert!(wrong.json().get("session").is_none());

    let other_agency = login_reply(addr, "canbo", "matkhau", OTHER_AGENCY).await;
    assert_eq!(other_agency.error_code(), 403);

    let no_header = send(
        addr,
        "POST",
        "/login",
        &[],
        Some(&json!({"username": "canbo", "password": "matkhau"})),
    )
    .await;
    assert_eq!(no_header.error_code(), 1);
    assert!(no_header.message().contains("dstcode"), "{}", no_header.message());
}

#[tokio::test]
async fn a_created_dossier_is_found_as_sent_and_an_unknown_one_is_not() {
    let portal = Portal::start().await;
    let sent = with(dossier("H12.2025.0001", "2"), "HinhThuc", json!("2"));
    let created = portal.sync(false, std::slice::from_ref(&sent)).await;
    assert_eq!(created.error_code(), 0, "{}", created.body);

    let found = portal.lookup("H12.2025.0001").await;
    assert_eq!(found.error_code(), 0);
    assert_eq!(found.json()["result"], json!([sent]));

    let unknown = portal.lookup("H12.2025.9999").await;
    assert_eq!(unknown.error_code(), 0);
    assert_eq!(unknown.json()["result"], json!([]));

    let record = portal.sim.dossier("H12.2025.0001").expect("stored");
    assert_eq!(record.madonvi, AGENCY);
    assert_eq!(record.states, ["2"]);
    assert_eq!(record.updates, 0);
}

#[tokio::test]
async fn creating_twice_is_refused_and_the_update_is_taken_with_its_history() {
    let portal = Portal::start().await;
    assert_eq!(portal.sync(false, &[dossier("D1", "2")]).await.error_code(), 0);

    let again = portal.sync(false, &[dossier("D1", "4")]).await;
    assert_eq!(again.error_code(), 1);
    assert_eq!(again.message(), "Hồ sơ đã tồn tại");

    assert_eq!(portal.sync(true, &[dossier("D1", "4")]).await.error_code(), 0);
    let done = with(dossier("D1", "9"), "NgayKetThucXuLy", json!("20250311160000"));
    assert_eq!(portal.sync(true, std::slice::from_ref(&done)).await.error_code(), 0);
    // The same dossier again changes nothing.
    assert_eq!(portal.sync(true, std::slice::from_ref(&done)).await.error_code(), 0);

    let record = portal.sim.dossier("D1").expect("stored");
    assert_eq!(record.states, ["2", "4", "9"]);
    assert_eq!(record.updates, 2);
    assert_eq!(
        portal.lookup("D1").await.json()["result"][0]["NgayKetThucXuLy"],
        "20250311160000"
    );
}

#[tokio::test]
async fn updating_an_unknown_dossier_is_refused() {
    let portal = Portal::start().await;
    let reply = portal.sync(true, &[dossier("D404", "4")]).await;
    assert_eq!(reply.error_code(), 1);
    assert_eq!(reply.message(), "Hồ sơ không tồn tại");
    assert!(portal.sim.dossiers().is_empty());
}

#[tokio::test]
async fn an_impossible_date_is_refused_naming_the_field() {
    let portal = Portal::start().await;
    for (field, value) in [
        ("NgayHenTra", "20250230170000"),
        ("NgayTiepNhan", "2025031008300"),
        ("NgayTra", "2025-03-12 17:00"),
    ] {
        let reply = portal
            .sync(false, &[with(dossier("D2", "2"), field, json!(value))])
            .await;
        assert_eq!(reply.error_code(), 2, "{field}");
        let message = reply.message();
        assert!(message.contains(field) && message.contains("D2"), "{message}");
    }
    let supplement = with(
        dossier("D2", "5"),
        "DanhSachHoSoBoSung",
        json!([{ "HoSoBoSungId": "BS1", "NgayHenTraTruoc": "20250312170000", "NgayHenTraMoi": "20251332170000" }]),
    );
    let reply = portal.sync(false, &[supplement]).await;
    assert!(
        reply.message().contains("DanhSachHoSoBoSung[0].NgayHenTraMoi"),
        "{}",
        reply.message()
    );
    assert!(portal.sim.dossier("D2").is_none());
}

#[tokio::test]
async fn missing_fields_and_codes_out_of_range_are_refused_naming_the_field() {
    let portal = Portal::start().await;
    let cases = [
        (with(dossier("D3", "2"), "ChuHoSo", json!("  ")), "ChuHoSo"),
        (with(dossier("D3", "2"), "LoaiDoiTuong", json!("5")), "LoaiDoiTuong"),
        (with(dossier("D3", "11"), "GhiChu", json!("")), "TrangThaiHoSo"),
        (with(dossier("D3", "2"), "HinhThuc", json!("3")), "HinhThuc"),
        (
            with(dossier("D3", "2"), "TaiLieuNop", json!([{ "DuongDan": "x" }])),
            "TaiLieuNop[0].TenTepDinhKem",
        ),
        (
            with(
                dossier("D3", "2"),
                "DanhSachGiayToKetQua",
                json!([{ "TenGiayTo": "GKS", "DuocSoHoa": "2" }]),
            ),
            "DuocSoHoa",
        ),
    ];
    for (sent, field) in cases {
        let reply = portal.sync(false, &[sent]).await;
        assert_eq!(reply.error_code(), 2, "{field}");
        assert!(reply.message().contains(field), "{field}: {}", reply.message());
    }
    let mut no_code = dossier("x", "2");
    no_code.as_object_mut().expect("an object").remove("MaHoSo");
    let reply = portal.sync(false, &[no_code]).await;
    assert_eq!(reply.message(), "data[0]: Thiếu trường bắt buộc MaHoSo");
    assert_eq!(portal.sim.counters().refused, 7);
}

#[tokio::test]
async fn a_batch_with_one_bad_dossier_stores_none_of_it() {
    let portal = Portal::start().await;
    let reply = portal
        .sync(
            false,
            &[dossier("B1", "2"), with(dossier("B2", "2"), "NgayTiepNhan", json!(""))],
        )
        .await;
    assert_eq!(reply.error_code(), 2);
    assert!(reply.message().contains("B2") && reply.message().contains("NgayTiepNhan"));
    assert!(portal.sim.dossiers().is_empty());
}

#[tokio::test]
async fn a_refused_transition_names_both_statuses() {
    let portal = Portal::start().await;
    assert_eq!(portal.sync(false, &[dossier("T1", "9")]).await.error_code(), 0);
    let back = portal.sync(true, &[dossier("T1", "4")]).await;
    assert_eq!(back.error_code(), 2);
    let message = back.message();
    assert!(message.contains("từ 9") && message.contains("sang 4"), "{message}");

    assert_eq!(portal.sync(true, &[dossier("T1", "10")]).await.error_code(), 0);
    let after_final = portal.sync(true, &[dossier("T1", "9")]).await;
    assert_eq!(after_final.error_code(), 2);
    assert!(after_final.message().contains("từ 10") && after_final.message().contains("sang 9"));
    // The final status sent again (another field changed) is accepted.
    let repeat = with(dossier("T1", "10"), "NgayTra", json!("20250312090000"));
    assert_eq!(portal.sync(true, &[repeat]).await.error_code(), 0);

    let record = portal.sim.dossier("T1").expect("stored");
    assert_eq!(record.states, ["9", "10"]);
    assert_eq!(record.updates, 2);
    assert_eq!(record.dossier["NgayTra"], "20250312090000");
}

#[tokio::test]
async fn progress_steps_are_stored_once_each() {
    let portal = Portal::start().await;
    assert_eq!(portal.sync(false, &[dossier("P1", "4")]).await.error_code(), 0);
    let first = step("P1", "20250310090000", "Tiếp nhận và chuyển phòng chuyên môn");
    let second = step("P1", "20250311100000", "Thẩm định hồ sơ");
    let reply = portal
        .call("CapNhatTienDoHoSoMC", json!({ "data": [first, second, first] }))
        .await;
    assert_eq!(reply.error_code(), 0, "{}", reply.body);
    let again = portal.call("CapNhatTienDoHoSoMC", json!({ "data": [second] })).await;
    assert_eq!(again.error_code(), 0);
    let progress = portal.sim.dossier("P1").expect("stored").progress;
    assert_eq!(progress.len(), 2);
    assert_eq!(progress[0]["NoiDungXuLy"], "Tiếp nhận và chuyển phòng chuyên môn");
    assert_eq!(progress[1]["NoiDungXuLy"], "Thẩm định hồ sơ");

    let unknown = portal
        .call(
            "CapNhatTienDoHoSoMC",
            json!({ "data": [step("P404", "20250311100000", "x")] }),
        )
        .await;
    assert_eq!(
        (unknown.error_code(), unknown.message()),
        (1, "Hồ sơ không tồn tại".to_owned())
    );

    let mut no_content = step("P1", "20250312100000", "x");
    no_content["NoiDungXuLy"] = json!("");
    let refused = portal
        .call("CapNhatTienDoHoSoMC", json!({ "data": [no_content] }))
        .await;
    assert_eq!(refused.error_code(), 2);
    assert!(refused.message().contains("NoiDungXuLy"), "{}", refused.message());

    let bad_time = step("P1", "20250312250000", "x");
    let refused = portal.call("CapNhatTienDoHoSoMC", json!({ "data": [bad_time] })).await;
    assert!(refused.message().contains("ThoiDiemXuLy"), "{}", refused.message());
    assert_eq!(portal.sim.dossier("P1").expect("stored").progress.len(), 2);
}

#[tokio::test]
async fn unknown_service_wrong_agency_and_unknown_session_are_refused() {
    let portal = Portal::start().await;
    assert_eq!(portal.call("XoaHoSo", json!({})).await.error_code(), 400);
    let wrong_agency = portal
        .call_as(&portal.session, OTHER_AGENCY, "TraCuuHoSo", json!({ "MaHoSo": "x" }))
        .await;
    assert_eq!(wrong_agency.error_code(), 403);
    let forged = portal
        .call_as("forged", AGENCY, "TraCuuHoSo", json!({ "MaHoSo": "x" }))
        .await;
    assert_eq!(forged.error_code(), 401);
    assert_eq!(forged.message(), "Phiên làm việc hết hạn");

    // Another agency's dossier is not theirs to read.
    assert_eq!(portal.sync(false, &[dossier("O1", "2")]).await.error_code(), 0);
    let other = login(portal.sim.addr(), "khac", "matkhau", OTHER_AGENCY).await;
    let read = portal
        .call_as(&other, OTHER_AGENCY, "TraCuuHoSo", json!({ "MaHoSo": "O1" }))
        .await;
    assert_eq!(read.error_code(), 403);

    let not_json = send(portal.sim.addr(), "POST", "/", &[], None).await;
    assert_eq!(not_json.error_code(), 400);
}

#[tokio::test]
async fn a_session_expires_after_its_lifetime() {
    let portal = Portal::start().await;
    portal.sim.advance_clock(LIFETIME - Duration::from_secs(5));
    assert_eq!(portal.lookup("x").await.error_code(), 0);
    portal.sim.advance_clock(Duration::from_secs(5));
    let expired = portal.lookup("x").await;
    assert_eq!(expired.error_code(), 401);
    assert_eq!(expired.message(), "Phiên làm việc hết hạn");
}

#[tokio::test]
async fn an_http_500_fault_answers_the_next_calls_then_stops() {
    let portal = Portal::start().await;
    assert_eq!(portal.sim.fail_next(2, Fault::Http500), 2);
    for _ in 0..2 {
        let reply = portal.sync(false, &[dossier("F1", "2")]).await;
        assert_eq!(reply.status, 500);
    }
    assert!(portal.sim.dossier("F1").is_none());
    assert_eq!(portal.sync(false, &[dossier("F1", "2")]).await.error_code(), 0);
    let counters = portal.sim.counters();
    assert_eq!(counters.faults, 2);
    assert_eq!(counters.calls["DongBoHoSoMC"], 3);
}

#[tokio::test]
async fn a_delay_fault_outlasts_the_client_timeout_but_the_call_happened() {
    let portal = Portal::start().await;
    portal.sim.fail_next(1, Fault::Delay { millis: 5_000 });
    let late = tokio::time::timeout(Duration::from_millis(300), portal.sync(false, &[dossier("F2", "2")])).await;
    assert!(late.is_err(), "answered within the client's timeout");
    // The retry finds it already there.
    assert!(portal.sim.dossier("F2").is_some());
    let retry = portal.sync(false, &[dossier("F2", "2")]).await;
    assert_eq!(retry.message(), "Hồ sơ đã tồn tại");
    portal.sim.shutdown().await;
}

#[tokio::test]
async fn an_error_code_fault_answers_with_it_and_has_no_effect() {
    let portal = Portal::start().await;
    portal.sim.fail_next(
        1,
        Fault::ErrorCode {
            error_code: 99,
            message: "Hệ thống bận".to_owned(),
        },
    );
    let reply = portal.sync(false, &[dossier("F3", "2")]).await;
    assert_eq!((reply.error_code(), reply.message()), (99, "Hệ thống bận".to_owned()));
    assert!(portal.sim.dossier("F3").is_none());
    assert_eq!(portal.sync(false, &[dossier("F3", "2")]).await.error_code(), 0);
}

#[tokio::test]
async fn an_expire_sessions_fault_gives_401_until_signed_in_again() {
    let portal = Portal::start().await;
    portal.sim.fail_next(1, Fault::ExpireSessions);
    assert_eq!(portal.lookup("x").await.error_code(), 401);
    assert_eq!(portal.lookup("x").await.error_code(), 401);
    let session = login(portal.sim.addr(), "canbo", "matkhau", AGENCY).await;
    let reply = portal
        .call_as(&session, AGENCY, "TraCuuHoSo", json!({ "MaHoSo": "x" }))
        .await;
    assert_eq!(reply.error_code(), 0);
}

#[tokio::test]
async fn a_portal_that_is_down_answers_503_until_it_is_up() {
    let portal = Portal::start().await;
    portal.sim.set_down(true);
    assert_eq!(portal.lookup("x").await.status, 503);
    assert_eq!(
        login_reply(portal.sim.addr(), "canbo", "matkhau", AGENCY).await.status,
        503
    );
    // The control API still answers.
    let counters = send(portal.sim.addr(), "GET", "/_sim/counters", &[], None).await;
    assert_eq!(counters.status, 200);
    assert_eq!(counters.json()["unavailable"], 2);
    portal.sim.set_down(false);
    assert_eq!(portal.lookup("x").await.error_code(), 0);
}

#[tokio::test]
async fn counters_tell_calls_by_operation_and_refusals_with_reasons() {
    let portal = Portal::start().await;
    portal.sync(false, &[dossier("C1", "2")]).await;
    portal.sync(false, &[dossier("C1", "2")]).await;
    portal.lookup("C1").await;
    let counters = portal.sim.counters();
    assert_eq!(counters.calls["login"], 1);
    assert_eq!(counters.calls["DongBoHoSoMC"], 2);
    assert_eq!(counters.calls["TraCuuHoSo"], 1);
    assert_eq!((counters.accepted, counters.refused), (3, 1));
    assert_eq!(counters.refusals[0].operation, "DongBoHoSoMC");
    assert_eq!(counters.refusals[0].error_code, 1);
    assert_eq!(counters.refusals[0].message, "Hồ sơ đã tồn tại");
}

#[tokio::test]
async fn the_control_api_sets_faults_shows_dossiers_and_resets() {
    let portal = Portal::start().await;
    let addr = portal.sim.addr();
    portal.sync(false, &[dossier("K1", "2")]).await;

    let fault = json!({ "count": 1, "fault": { "kind": "error_code", "error_code": 7, "message": "bảo trì" } });
    let queued = send(addr, "POST", "/_sim/fail_next", &[], Some(&fault)).await;
    assert_eq!(queued.json(), json!({ "pending_faults": 1 }));
    assert_eq!(portal.lookup("K1").await.error_code(), 7);

    let record = send(addr, "GET", "/_sim/dossiers/K1", &[], None).await.json();
    assert_eq!(record["ma_ho_so"], "K1");
    assert_eq!(record["madonvi"], AGENCY);
    assert_eq!(record["states"], json!(["2"]));
    assert_eq!(record["dossier"]["ChuHoSo"], "Nguyễn Văn A");
    assert_eq!(send(addr, "GET", "/_sim/dossiers/K404", &[], None).await.status, 404);
    let all = send(addr, "GET", "/_sim/dossiers", &[], None).await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(1));

    let bad = json!({ "fault": { "kind": "explode" } });
    assert_eq!(send(addr, "POST", "/_sim/fail_next", &[], Some(&bad)).await.status, 400);
    let down = send(addr, "POST", "/_sim/down", &[], Some(&json!({ "down": true }))).await;
    assert_eq!(down.json(), json!({ "down": true }));
    assert_eq!(portal.lookup("K1").await.status, 503);

    assert_eq!(
        send(addr, "POST", "/_sim/reset", &[], Some(&json!({}))).await.status,
        200
    );
    assert!(portal.sim.dossiers().is_empty());
    assert_eq!(portal.sim.counters(), Default::default());
    // Up again, sessions forgotten, accounts kept.
    assert_eq!(portal.lookup("K1").await.error_code(), 401);
    let session = login(addr, "canbo", "matkhau", AGENCY).await;
    let lookup = json!({ "MaHoSo": "K1" });
    assert_eq!(
        portal
            .call_as(&session, AGENCY, "TraCuuHoSo", lookup.clone())
            .await
            .error_code(),
        0
    );

    let advance = json!({ "millis": LIFETIME.as_millis() });
    assert_eq!(
        send(addr, "POST", "/_sim/advance_clock", &[], Some(&advance))
            .await
            .status,
        200
    );
    assert_eq!(
        portal
            .call_as(&session, AGENCY, "TraCuuHoSo", lookup)
            .await
            .error_code(),
        401
    );
}
