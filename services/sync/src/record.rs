//! A dossier and its processing steps as the portal reads them: its field
//! names, dates as `yyyyMMddHHmmss` in Vietnam time, statuses numbered 1–10
//! as eiso numbers them, applicants 1–4, channels 0 (counter), 1 (online),
//! 2 (post). Every value is a string; a time eiso does not have is `""`.

use eiso_platform::aip::time::{TIME_ZONE, stored_instant};
use eiso_proto::eiso::procedures::v1::{Channel, Dossier};
use eiso_proto::prost_types::Timestamp;
use serde_json::{Map, Value};

/// What the portal wants of a dossier that the dossier itself does not hold:
/// names of the procedure, its field and the agency, looked up by the caller.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// The portal's code of the procedure (`MaTTHC`).
    pub procedure_code: String,
    pub procedure_name: String,
    pub field_code: String,
    pub field_name: String,
    /// The agency that handles the dossier (`DonViXuLy`).
    pub agency_name: String,
}

/// An instant as the portal writes it: `yyyyMMddHHmmss`, Vietnam time; `""`
/// when there is none.
pub fn portal_time(time: Option<&Timestamp>) -> String {
    time.and_then(stored_instant)
        .map(|t| t.with_timezone(&TIME_ZONE).format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

/// The portal's `HinhThuc` of a channel.
fn channel(channel: i32) -> &'static str {
    match Channel::try_from(channel).unwrap_or_default() {
        Channel::Online => "1",
        Channel::Postal => "2",
        Channel::Direct | Channel::Unspecified => "0",
    }
}

/// The dossier as `DongBoHoSoMC` carries it.
pub fn dossier(d: &Dossier, names: &Names) -> Map<String, Value> {
    let applicant = d.applicant.clone().unwrap_or_default();
    let mut record = Map::new();
    let mut put = |key: &str, value: String| {
        record.insert(key.to_string(), Value::String(value));
    };
    put("MaHoSo", d.code.clone());
    put("MaTTHC", names.procedure_code.clone());
    put("TenTTHC", names.procedure_name.clone());
    put("MaLinhVuc", names.field_code.clone());
    put("TenLinhVuc", names.field_name.clone());
    put("SoBienNhan", d.code.clone());
    put("ChuHoSo", applicant.full_name);
    put("LoaiDoiTuong", applicant.r#type.clamp(1, 4).to_string());
    put("MaDoiTuong", applicant.id_number);
    put("SoDienThoai", applicant.phone);
    put("Email", applicant.email);
    put("TrichYeuHoSo", d.summary.clone());
    put("NgayTiepNhan", portal_time(d.receive_time.as_ref()));
    put("NgayHenTra", portal_time(d.appointment_time.as_ref()));
    put("TrangThaiHoSo", d.status.to_string());
    put("NgayTra", portal_time(d.return_time.as_ref()));
    put("HinhThuc", channel(d.channel).to_string());
    put("NgayKetThucXuLy", portal_time(d.complete_time.as_ref()));
    put("DonViXuLy", names.agency_name.clone());
    put("GhiChu", d.result_summary.clone());
    let documents = d
        .documents
        .iter()
        .map(|doc| Value::Object(object([("TenTepDinhKem", doc.display_name.clone())])))
        .collect();
    record.insert("TaiLieuNop".into(), Value::Array(documents));
    // A supplement moves the appointment: the one before is the dossier's
    // appointment before that supplement was received, as far as eiso keeps
    // it (the last supplement's new one is the current appointment).
    let supplements = d
        .supplements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let last = i + 1 == d.supplements.len();
            Value::Object(object([
                ("HoSoBoSungId", format!("{}-BS{}", d.code, i + 1)),
                ("NgayYeuCau", portal_time(s.request_time.as_ref())),
                ("NoiDungYeuCau", s.reason.clone()),
                ("NgayTiepNhanBoSung", portal_time(s.receive_time.as_ref())),
                ("NgayHenTraTruoc", String::new()),
                (
                    "NgayHenTraMoi",
                    if last && s.receive_time.is_some() {
                        portal_time(d.appointment_time.as_ref())
                    } else {
                        String::new()
                    },
                ),
            ]))
        })
        .collect();
    record.insert("DanhSachHoSoBoSung".into(), Value::Array(supplements));
    let results = if d.complete_time.is_some() && !d.result_summary.is_empty() {
        vec![Value::Object(object([
            ("TenGiayTo", d.result_summary.clone()),
            ("DuocSoHoa", if d.result_digitised { "1" } else { "0" }.to_string()),
        ]))]
    } else {
        Vec::new()
    };
    record.insert("DanhSachGiayToKetQua".into(), Value::Array(results));
    record
}

/// Who handled a step, as the portal shows them: a person's name, their
/// title, their department.
#[derive(Clone, Debug, Default)]
pub struct Handler {
    pub name: String,
    pub title: String,
    pub department: String,
}

/// The dossier's processing steps (its handovers) as `CapNhatTienDoHoSoMC`
/// carries them; `handler` names the person a step went to (`users/…`).
pub fn steps(d: &Dossier, handler: impl Fn(&str) -> Handler) -> Vec<Map<String, Value>> {
    d.handovers
        .iter()
        .map(|h| {
            let who = handler(&h.receiver);
            let content = if h.note.is_empty() {
                format!("Chuyển xử lý bước {}", h.step)
            } else {
                h.note.clone()
            };
            object([
                ("MaHoSo", d.code.clone()),
                ("NguoiXuLy", who.name),
                ("ChucDanh", who.title),
                ("ThoiDiemXuLy", portal_time(h.handover_time.as_ref())),
                ("PhongBanXuLy", who.department),
                ("NoiDungXuLy", content),
                ("TrangThai", d.status.to_string()),
                ("NgayBatDau", portal_time(h.handover_time.as_ref())),
                ("NgayKetThucTheoQuyDinh", portal_time(h.step_due_time.as_ref())),
            ])
        })
        .collect()
}

fn object<const N: usize>(fields: [(&str, String); N]) -> Map<String, Value> {
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, DossierStatus, ReceivedDocument, Supplement};

    fn at(seconds: i64) -> Option<Timestamp> {
        Some(Timestamp { seconds, nanos: 0 })
    }

    #[test]
    fn a_dossier_reads_as_the_portal_writes_it() {
        // 2025-03-05 07:30:00 UTC is 14:30 in Hải Phòng.
        let received = 1_741_159_800;
        let d = Dossier {
            code: "000.31.H31-250305-0001".into(),
            applicant: Some(Applicant {
                full_name: "Nguyễn Thị Hoa".into(),
                id_number: "031190001234".into(),
                phone: "0912345678".into(),
                r#type: ApplicantType::Citizen as i32,
                ..Default::default()
            }),
            summary: "Chuyển trường cho học sinh trung học cơ sở".into(),
            channel: Channel::Online as i32,
            documents: vec![ReceivedDocument {
                display_name: "Đơn đề nghị chuyển trường".into(),
                ..Default::default()
            }],
            status: DossierStatus::Completed as i32,
            receive_time: at(received),
            appointment_time: at(received + 3 * 86_400),
            complete_time: at(received + 86_400),
            result_summary: "Giấy giới thiệu chuyển trường".into(),
            result_digitised: true,
            supplements: vec![Supplement {
                request_time: at(received + 3600),
                reason: "Thiếu học bạ".into(),
                receive_time: at(received + 7200),
                ..Default::default()
            }],
            ..Default::default()
        };
        let names = Names {
            procedure_code: "1.004492".into(),
            procedure_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            agency_name: "Phòng Giáo dục và Đào tạo".into(),
            ..Default::default()
        };
        let record = dossier(&d, &names);
        let text = |key: &str| record[key].as_str().unwrap_or("?").to_string();
        assert_eq!(text("NgayTiepNhan"), "20250305143000");
        assert_eq!(text("NgayHenTra"), "20250308143000");
        assert_eq!(text("NgayKetThucXuLy"), "20250306143000");
        assert_eq!(text("NgayTra"), "", "not returned yet");
        assert_eq!(text("TrangThaiHoSo"), "9");
        assert_eq!(text("LoaiDoiTuong"), "1");
        assert_eq!(text("HinhThuc"), "1", "online");
        assert_eq!(text("MaTTHC"), "1.004492");
        assert_eq!(text("ChuHoSo"), "Nguyễn Thị Hoa");
        assert_eq!(record["TaiLieuNop"][0]["TenTepDinhKem"], "Đơn đề nghị chuyển trường");
        assert_eq!(
            record["DanhSachHoSoBoSung"][0]["HoSoBoSungId"],
            "000.31.H31-250305-0001-BS1"
        );
        assert_eq!(record["DanhSachHoSoBoSung"][0]["NgayTiepNhanBoSung"], "20250305163000");
        assert_eq!(record["DanhSachGiayToKetQua"][0]["DuocSoHoa"], "1");
        assert!(
            record.values().all(|v| v.is_string() || v.is_array()),
            "every value a string"
        );
    }
}
