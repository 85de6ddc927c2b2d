//! One file per screen. Each handler reads the form into the API's request,
//! calls the service library with the session's call context, and renders.

pub mod methods;

mod action;
mod actions;
mod actions_board;
mod admin_calendar;
mod admin_catalogue;
mod admin_clients;
mod admin_notifications;
mod admin_sync;
mod admin_unit;
mod admin_units;
mod admin_users;
mod audit_plan;
mod audits;
mod catalogue_problems;
mod dashboard;
mod deadline;
mod demo;
mod diagnostic;
mod document;
mod documents;
mod dossier;
mod dossiers;
mod download;
mod drafting;
mod every_page;
mod evidence;
mod fields;
mod home;
mod inspections;
mod lookup;
mod outward;
mod password;
mod plan_import;
mod plans;
mod receive;
mod records;
mod refuse;
mod reviews;
mod reviews_pack;
mod search;
mod sign_in;
mod tables_form;
mod targets;
mod trail;

use axum::Router;
use axum::routing::{get, post};

use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(home::page))
        .route("/dang-nhap", get(sign_in::page).post(sign_in::submit))
        .route("/dang-xuat", post(sign_in::sign_out))
        .route("/doi-mat-khau", get(password::page).post(password::submit))
        .route("/du-lieu-mau", get(demo::page).post(demo::submit))
        .route("/tra-cuu", get(lookup::page).post(lookup::submit))
        .route("/tra-cuu/danh-gia", post(lookup::rate))
        .route("/ho-so", get(dossiers::page))
        .route("/viec-cua-toi", get(dossiers::mine))
        .route("/tim-kiem", get(search::page))
        .route("/tai-lieu", get(documents::page))
        .route("/cho-duyet", get(reviews::page))
        .route("/nhat-ky", get(trail::page))
        .route("/chat-luong/hanh-dong", get(actions_board::page))
        .route("/chat-luong/hanh-dong/{id}", get(action::page))
        .route("/chat-luong/hanh-dong/{id}/{step}", post(action::step))
        .route("/chat-luong/chan-doan", get(diagnostic::list))
        .route("/chat-luong/chan-doan/{id}", get(diagnostic::page))
        .route("/chat-luong/kiem-tra", get(inspections::page))
        .route("/chat-luong/kiem-tra/{id}/hoan-thanh", post(inspections::complete))
        .route(
            "/chat-luong/xem-xet",
            get(reviews_pack::page).post(reviews_pack::generate),
        )
        .route("/chat-luong/danh-gia", get(audits::list))
        .route("/chat-luong/danh-gia/chuong-trinh", post(audit_plan::create_programme))
        .route("/chat-luong/danh-gia/cuoc-moi", post(audit_plan::create_audit))
        .route("/chat-luong/danh-gia/{id}", get(audits::page))
        .route("/chat-luong/danh-gia/{id}/{step}", post(audits::step))
        .route("/quan-tri/don-vi", get(admin_units::page).post(admin_units::create))
        .route("/quan-tri/don-vi/{id}", get(admin_unit::page))
        .route("/quan-tri/don-vi/{id}/{action}", post(admin_unit::change))
        .route(
            "/quan-tri/ket-noi",
            get(admin_clients::page).post(admin_clients::create),
        )
        .route("/quan-tri/ket-noi/{id}/thu-hoi", post(admin_clients::revoke))
        .route("/quan-tri/dong-bo", get(admin_sync::page))
        .route("/quan-tri/dong-bo/{id}/gui-lai", post(admin_sync::resend))
        .route("/quan-tri/thong-bao", get(admin_notifications::page))
        .route("/quan-tri/thong-bao/{id}/gui-lai", post(admin_notifications::resend))
        .route("/quan-tri/lich", get(admin_calendar::page))
        .route(
            "/quan-tri/thu-tuc",
            get(admin_catalogue::page)
                .post(admin_catalogue::import)
                .layer(axum::extract::DefaultBodyLimit::max(tables_form::MAX_FORM_BYTES)),
        )
        .route("/quan-tri/thu-tuc/ban-hanh", post(admin_catalogue::publish))
        .route("/quan-tri/thu-tuc/xuat", get(admin_catalogue::export))
        .route("/quan-tri/lich/{action}", post(admin_calendar::change))
        .route("/quan-tri/nguoi-dung", get(admin_users::page).post(admin_users::create))
        .route("/quan-tri/nguoi-dung/{id}/{action}", post(admin_users::change))
        .route("/ke-hoach", get(plans::list))
        .route(
            "/ke-hoach/nhap",
            get(plan_import::page)
                .post(plan_import::submit)
                .layer(axum::extract::DefaultBodyLimit::max(tables_form::MAX_FORM_BYTES)),
        )
        .route("/ke-hoach/{id}", get(plans::plan))
        .route("/ke-hoach/{id}/chi-tieu", get(targets::page))
        .route("/ke-hoach/{id}/xuat", get(plans::export))
        .route("/ke-hoach/{plan}/bao-cao/{report}", get(targets::export))
        .route("/ke-hoach/{plan}/nhiem-vu/{task}", get(plans::task))
        .route("/ke-hoach/{plan}/nhiem-vu/{task}/tien-do", post(plans::record_progress))
        .route("/ke-hoach/{plan}/nhiem-vu/{task}/minh-chung", post(plans::add_evidence))
        .route("/ho-so-chat-luong", get(records::page))
        .route("/ho-so-chat-luong/{id}", get(records::record_page))
        .route("/ho-so-chat-luong/{id}/xu-ly", post(records::dispose))
        .route("/cho-duyet/{id}/{number}/{action}", post(reviews::submit))
        .route("/tai-lieu/moi", get(drafting::new_page).post(drafting::create))
        .route("/tai-lieu/{id}", get(document::page))
        .route("/tai-lieu/{id}/lan-moi", post(drafting::new_revision))
        .route("/tai-lieu/{id}/lan/{number}/{action}", post(drafting::act))
        .route(
            "/tai-lieu/{id}/lan/{number}/tep",
            // The documents service bounds each file; a page's own limit would cut uploads short.
            post(drafting::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/tai-lieu/{id}/lan/{number}/da-doc", post(document::acknowledge))
        .route("/tep/{*name}", get(download::file))
        .route("/tong-quan", get(dashboard::page))
        .route("/tong-quan.xlsx", get(dashboard::workbook))
        .route("/ho-so/tiep-nhan", get(receive::page).post(receive::submit))
        .route("/ho-so/tiep-nhan/thu-tuc", get(receive::options))
        .route("/ho-so/tu-choi", get(refuse::page).post(refuse::submit))
        .route("/ho-so/{id}", get(dossier::page))
        .route("/ho-so/{id}/da-tiep-nhan", get(receive::received))
        .route("/ho-so/{id}/bieu-mau/{form}", get(dossier::form))
        .route("/ho-so/{id}/thao-tac/{action}", post(actions::submit))
        .fallback(not_found)
}

async fn not_found() -> crate::error::PageError {
    crate::error::PageError::NotFound
}
