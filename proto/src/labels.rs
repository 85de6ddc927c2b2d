//! What the API's enum values are called: the proto name of every one of them
//! ([`ProtoEnum`]), and the Vietnamese label of those that people read
//! ([`Label`]). The printed forms, the procedures catalogue's table, the CLI
//! and the web app take them from here, so each label is written once.
//!
//! Labels are Vietnamese in Unicode NFC, exactly as the forms and the
//! catalogue print them; an unset value's label is empty (except where the
//! proto says how unset is taken).
//!
//! ```
//! use eiso_proto::eiso::procedures::v1::DossierStatus;
//! use eiso_proto::labels::{Label, ProtoEnum};
//!
//! assert_eq!(DossierStatus::Returned.label_vi(), "Đã trả kết quả");
//! assert_eq!(DossierStatus::label_vi_of(10), Some("Đã trả kết quả"));
//! assert_eq!(DossierStatus::label_vi_of(99), None);
//! assert_eq!(DossierStatus::name_of(10), Some("DOSSIER_STATUS_RETURNED"));
//! assert_eq!(DossierStatus::InProgress.short_name(), "in_progress");
//! ```

use crate::eiso::documents::v1::{Confidentiality, Disposition, DocumentType, document, record, review, revision};
use crate::eiso::identity::v1::{Role, UnitKind, unit, user};
use crate::eiso::notify::v1::notification;
use crate::eiso::plans::v1::ReportKind;
use crate::eiso::plans::v1::{TargetStatus, TaskStatus};
use crate::eiso::procedures::v1::procedure;
use crate::eiso::procedures::v1::{
    ApplicantType, Channel, CopyKind, DossierStatus, OnlineLevel, Outcome, ProcedureLevel, Satisfaction,
    SupplementMode, Weekday,
};
use crate::eiso::quality::v1::{
    Change, ChecklistResult, Colour, FindingType, Quadrant, audit, corrective_action, inspection,
};
use crate::eiso::sync::v1::dossier_sync;

/// Any enum of the API, by its proto names. Implemented for every generated
/// enum (the build writes the impls from the descriptor set).
pub trait ProtoEnum: Copy + Default + Into<i32> + TryFrom<i32> + 'static {
    /// The proto name, e.g. `UNIT_KIND_SERVICE_CENTRE`.
    fn as_str_name(&self) -> &'static str;

    /// The value with this proto name.
    fn from_str_name(name: &str) -> Option<Self>;

    /// The value of a number, or `None` for a number this build does not know
    /// (a newer server's).
    fn of(value: i32) -> Option<Self> {
        Self::try_from(value).ok()
    }

    /// The proto name of a number, or `None` for a number this build does not
    /// know.
    fn name_of(value: i32) -> Option<&'static str> {
        Self::of(value).map(|value| value.as_str_name())
    }

    /// What every value's name starts with, e.g. `UNIT_KIND_`: the name of the
    /// unspecified value without `UNSPECIFIED`.
    fn prefix() -> &'static str {
        let unspecified = Self::default().as_str_name();
        unspecified.strip_suffix("UNSPECIFIED").unwrap_or("")
    }

    /// The name without the enum's prefix, in lower case: `service_centre`
    /// for `UNIT_KIND_SERVICE_CENTRE`.
    fn short_name(&self) -> String {
        let name = self.as_str_name();
        name.strip_prefix(Self::prefix()).unwrap_or(name).to_ascii_lowercase()
    }

    /// Every value this build knows, by number (the unset value first).
    fn values() -> Vec<Self> {
        (0..64).filter_map(Self::of).collect()
    }

    /// The value of a [`Self::short_name`]: `service_centre` →
    /// `UNIT_KIND_SERVICE_CENTRE`.
    fn from_short_name(short: &str) -> Option<Self> {
        Self::from_str_name(&format!("{}{}", Self::prefix(), short.to_ascii_uppercase()))
    }
}

include!(concat!(env!("OUT_DIR"), "/eiso_enums.rs"));

/// An enum value's Vietnamese label, as people read it on forms, in the
/// catalogue and in the apps.
pub trait Label: ProtoEnum {
    /// The label, in NFC.
    fn label_vi(&self) -> &'static str;

    /// The label of a number, or `None` for a number this build does not know.
    fn label_vi_of(value: i32) -> Option<&'static str> {
        Self::of(value).map(|value| value.label_vi())
    }
}

impl Label for DossierStatus {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Registered => "Mới đăng ký",
            Self::Received => "Đã tiếp nhận",
            Self::NotReceived => "Từ chối tiếp nhận",
            Self::InProgress => "Đang giải quyết",
            Self::SupplementRequested => "Chờ bổ sung hồ sơ",
            Self::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Đã rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Completed => "Đã có kết quả",
            Self::Returned => "Đã trả kết quả",
        }
    }
}

/// A dossier's sync with the national portal, as the sync page's tabs and
/// the dossier's page name it.
impl Label for dossier_sync::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Pending => "Chờ gửi",
            Self::Synced => "Đã đồng bộ",
            Self::Failing => "Đang lỗi, sẽ thử lại",
            Self::Parked => "Bị dừng",
        }
    }
}

/// What a notification tells the applicant, as the notifications' page and
/// the dossier's page name it.
impl Label for notification::Kind {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Received => "Tiếp nhận hồ sơ",
            Self::SupplementRequested => "Yêu cầu bổ sung",
            Self::Extended => "Gia hạn, xin lỗi",
            Self::ResultReady => "Có kết quả",
        }
    }
}

/// How a notification reaches the applicant.
impl Label for notification::Channel {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Email => "Thư điện tử",
            Self::Sms => "Tin nhắn SMS",
        }
    }
}

/// Where a notification stands, as the notifications' page's tabs name it.
impl Label for notification::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Pending => "Chờ gửi",
            Self::Sent => "Đã gửi",
            Self::Failing => "Đang lỗi, sẽ thử lại",
            Self::Parked => "Bị dừng",
        }
    }
}

impl Label for Outcome {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Quá hạn",
        }
    }
}

impl Label for CopyKind {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Original => "Bản chính",
            Self::CertifiedCopy => "Bản sao có chứng thực",
            Self::Photocopy => "Bản sao",
            Self::OriginalOrCertified => "Bản chính hoặc bản sao có chứng thực",
        }
    }
}

impl Label for Satisfaction {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::VerySatisfied => "Rất hài lòng",
            Self::Satisfied => "Hài lòng",
            Self::Acceptable => "Chấp nhận được",
            Self::Dissatisfied => "Không hài lòng",
        }
    }
}

impl Label for Role {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Admin => "Quản trị hệ thống",
            Self::DocumentController => "Thư ký ISO (quản lý tài liệu)",
            Self::CounterStaff => "Cán bộ một cửa",
            Self::ProcessingOfficer => "Chuyên viên xử lý hồ sơ",
            Self::Leader => "Lãnh đạo",
            Self::InternalAuditor => "Đánh giá viên nội bộ",
            Self::Viewer => "Người xem",
        }
    }
}

impl Label for UnitKind {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Province => "Tỉnh, thành phố",
            Self::Commune => "Xã, phường, đặc khu",
            Self::District => "Quận, huyện",
            Self::Office => "Cơ quan, phòng ban",
            Self::ServiceCentre => "Trung tâm phục vụ hành chính công",
            Self::Preschool => "Trường mầm non",
            Self::PrimarySchool => "Trường tiểu học",
            Self::LowerSecondarySchool => "Trường trung học cơ sở",
            Self::UpperSecondarySchool => "Trường trung học phổ thông",
            Self::MultiLevelSchool => "Trường phổ thông nhiều cấp học",
            Self::Other => "Đơn vị khác",
        }
    }
}

impl Label for unit::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Active => "Đang hoạt động",
            Self::Merged => "Đã sáp nhập",
            Self::Dissolved => "Đã giải thể",
        }
    }
}

impl Label for user::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Active => "Đang dùng",
            Self::Disabled => "Đã khóa",
        }
    }
}

impl Label for Channel {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Direct => "Trực tiếp",
            Self::Online => "Trực tuyến",
            Self::Postal => "Qua dịch vụ bưu chính",
        }
    }
}

impl Label for ApplicantType {
    /// Unset reads as a person, as the proto says.
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Citizen | Self::Unspecified => "Công dân",
            Self::Business => "Doanh nghiệp",
            Self::Agency => "Cơ quan, tổ chức",
            Self::Other => "Khác",
        }
    }
}

impl Label for ProcedureLevel {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Central => "Cấp trung ương",
            Self::Provincial => "Cấp tỉnh",
            Self::Commune => "Cấp xã",
            Self::District => "Cấp huyện",
        }
    }
}

impl Label for OnlineLevel {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Information => "Cung cấp thông tin",
            Self::Partial => "Một phần",
            Self::Full => "Toàn trình",
        }
    }
}

impl Label for SupplementMode {
    /// Unset is taken as restart, as the proto says.
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Restart | Self::Unspecified => "Tính lại từ đầu",
            Self::Pause => "Tạm dừng",
        }
    }
}

impl Label for Weekday {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Monday => "Thứ Hai",
            Self::Tuesday => "Thứ Ba",
            Self::Wednesday => "Thứ Tư",
            Self::Thursday => "Thứ Năm",
            Self::Friday => "Thứ Sáu",
            Self::Saturday => "Thứ Bảy",
            Self::Sunday => "Chủ nhật",
        }
    }
}

impl Label for TaskStatus {
    /// Unset is read as not started, as the proto says.
    fn label_vi(&self) -> &'static str {
        match self {
            Self::NotStarted | Self::Unspecified => "Chưa thực hiện",
            Self::InProgress => "Đang thực hiện",
            Self::Done => "Đã hoàn thành",
            Self::Cancelled => "Không thực hiện",
        }
    }
}

impl Label for TargetStatus {
    /// Unset reads as no data, as the plans' reports print it.
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Met => "Đạt",
            Self::AtRisk => "Có nguy cơ không đạt",
            Self::Missed => "Không đạt",
            Self::NoData | Self::Unspecified => "Chưa có số liệu",
        }
    }
}

impl Label for DocumentType {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa phân loại",
            Self::QualityManual => "Sổ tay chất lượng",
            Self::Policy => "Chính sách chất lượng",
            Self::Objectives => "Mục tiêu chất lượng",
            Self::Procedure => "Quy trình",
            Self::Instruction => "Hướng dẫn",
            Self::Form => "Biểu mẫu",
            Self::Record => "Hồ sơ",
            Self::External => "Văn bản bên ngoài",
        }
    }
}

impl Label for Confidentiality {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Public => "Công khai",
            Self::Internal => "Nội bộ",
            Self::Restricted => "Hạn chế",
        }
    }
}

impl Label for revision::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Draft => "Đang soạn thảo",
            Self::InReview => "Đang xem xét",
            Self::Approved => "Đã phê duyệt",
            Self::Effective => "Đang có hiệu lực",
            Self::Superseded => "Đã được thay thế",
            Self::Obsolete => "Hết hiệu lực",
        }
    }
}

impl Label for review::Decision {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Pending => "Chưa cho ý kiến",
            Self::Approved => "Đồng ý",
            Self::Rejected => "Không đồng ý",
        }
    }
}

impl Label for document::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Draft => "Đang soạn thảo",
            Self::Effective => "Có hiệu lực",
            Self::Obsolete => "Hết hiệu lực",
        }
    }
}

impl Label for record::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Open => "Đang lập",
            Self::Closed => "Đã đóng",
            Self::Disposed => "Đã xử lý khi hết hạn lưu",
        }
    }
}

impl Label for Disposition {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Keep => "Tiếp tục lưu giữ",
            Self::Destroy => "Hủy",
            Self::TransferToArchive => "Nộp lưu trữ lịch sử",
        }
    }
}

impl Label for procedure::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa xác định",
            Self::Draft => "Chưa công bố",
            Self::Published => "Đã công bố",
            Self::Withdrawn => "Đã bãi bỏ",
        }
    }
}

impl Label for ReportKind {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Báo cáo",
            Self::Quarterly => "Báo cáo quý",
            Self::HalfYear => "Báo cáo 6 tháng",
            Self::Annual => "Báo cáo năm",
            Self::OnDemand => "Báo cáo đột xuất",
        }
    }
}

impl Label for FindingType {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::MajorNonconformity => "Điểm không phù hợp nặng",
            Self::MinorNonconformity => "Điểm không phù hợp nhẹ",
            Self::Observation => "Điểm lưu ý",
            Self::OpportunityForImprovement => "Cơ hội cải tiến",
        }
    }
}

impl Label for ChecklistResult {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Conforming => "Phù hợp",
            Self::Nonconforming => "Không phù hợp",
            Self::NotApplicable => "Không áp dụng",
        }
    }
}

impl Label for audit::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Planned => "Đã lập kế hoạch",
            Self::InProgress => "Đang thực hiện",
            Self::Completed => "Đã hoàn thành",
        }
    }
}

impl Label for inspection::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Planned => "Đã lên kế hoạch",
            Self::Done => "Đã kiểm tra",
            Self::Cancelled => "Đã hủy",
        }
    }
}

impl Label for corrective_action::State {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Open => "Mới mở, chưa lập kế hoạch",
            Self::ActionsPlanned => "Đã lập kế hoạch khắc phục",
            Self::Implemented => "Đã thực hiện, chờ kiểm tra hiệu lực",
            Self::VerifiedEffective => "Đã xác nhận có hiệu lực",
            Self::Closed => "Đã đóng",
            Self::NotEffective => "Chưa hiệu lực, lập lại kế hoạch",
        }
    }
}

impl Label for Quadrant {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "",
            Self::Institutional => "Phát triển thể chế vì chính quyền tốt",
            Self::Economic => "Phát triển kinh tế bền vững",
            Self::Social => "Phát triển xã hội bao trùm",
            Self::Environmental => "Phát triển môi trường bền vững",
        }
    }
}

impl Label for Colour {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Chưa đánh giá",
            Self::Red => "Đỏ",
            Self::Yellow => "Vàng",
            Self::Green => "Xanh",
        }
    }
}

impl Label for Change {
    fn label_vi(&self) -> &'static str {
        match self {
            Self::Unspecified => "Không so sánh được",
            Self::Improved => "Tốt lên",
            Self::Worsened => "Xấu đi",
            Self::Unchanged => "Không đổi",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eiso::documents::v1::revision;
    use crate::eiso::identity::v1::UnitKind;

    fn values<E: ProtoEnum>() -> Vec<E> {
        E::values()
    }

    fn assert_nfc<E: Label>() {
        use unicode_normalization::UnicodeNormalization;
        for value in values::<E>() {
            let label = value.label_vi();
            assert_eq!(
                label,
                label.nfc().collect::<String>(),
                "{} is not NFC",
                value.as_str_name()
            );
        }
    }

    #[test]
    fn labels_are_precomposed_and_only_the_unspecified_is_empty() {
        assert_nfc::<DossierStatus>();
        assert_nfc::<Outcome>();
        assert_nfc::<CopyKind>();
        assert_nfc::<Satisfaction>();
        assert_nfc::<Channel>();
        assert_nfc::<ApplicantType>();
        assert_nfc::<ProcedureLevel>();
        assert_nfc::<OnlineLevel>();
        assert_nfc::<SupplementMode>();
        assert_nfc::<Weekday>();
        assert_nfc::<TaskStatus>();
        assert_nfc::<TargetStatus>();
        assert_nfc::<Role>();
        assert_nfc::<UnitKind>();
        assert_nfc::<unit::State>();
        assert_nfc::<user::State>();
        assert_nfc::<FindingType>();
        assert_nfc::<ChecklistResult>();
        assert_nfc::<audit::State>();
        assert_nfc::<inspection::State>();
        assert_nfc::<corrective_action::State>();
        assert_nfc::<Quadrant>();
        assert_nfc::<DocumentType>();
        assert_nfc::<Confidentiality>();
        assert_nfc::<Disposition>();
        assert_nfc::<revision::State>();
        assert_nfc::<review::Decision>();
        assert_nfc::<document::State>();
        assert_nfc::<record::State>();
        assert_nfc::<procedure::State>();
        assert_nfc::<ReportKind>();
        assert_nfc::<Colour>();
        assert_nfc::<Change>();
        assert_nfc::<dossier_sync::State>();
        assert_nfc::<notification::Kind>();
        assert_nfc::<notification::Channel>();
        assert_nfc::<notification::State>();
        for kind in values::<notification::Kind>().into_iter().skip(1) {
            assert!(!kind.label_vi().is_empty(), "{}", kind.as_str_name());
        }
        for kind in values::<FindingType>().into_iter().skip(1) {
            assert!(!kind.label_vi().is_empty(), "{}", kind.as_str_name());
        }
        assert_eq!(FindingType::MajorNonconformity.label_vi(), "Điểm không phù hợp nặng");
        assert_eq!(Change::Improved.label_vi(), "Tốt lên");
        for status in values::<DossierStatus>().into_iter().skip(1) {
            assert!(!status.label_vi().is_empty(), "{}", status.as_str_name());
        }
        assert_eq!(
            SupplementMode::Unspecified.label_vi(),
            SupplementMode::Restart.label_vi()
        );
    }

    #[test]
    fn labels_by_number() {
        assert_eq!(Weekday::label_vi_of(Weekday::Sunday as i32), Some("Chủ nhật"));
        assert_eq!(CopyKind::label_vi_of(CopyKind::Photocopy as i32), Some("Bản sao"));
        assert_eq!(Outcome::label_vi_of(0), Some(""));
        assert_eq!(Channel::label_vi_of(42), None);
    }

    #[test]
    fn quality_states_read_as_the_review_pack_prints_them() {
        assert_eq!(audit::State::Planned.label_vi(), "Đã lập kế hoạch");
        assert_eq!(audit::State::InProgress.label_vi(), "Đang thực hiện");
        assert_eq!(corrective_action::State::Open.label_vi(), "Mới mở, chưa lập kế hoạch");
        assert_eq!(
            corrective_action::State::NotEffective.label_vi(),
            "Chưa hiệu lực, lập lại kế hoạch"
        );
    }

    #[test]
    fn every_enum_has_its_names() {
        assert_eq!(UnitKind::prefix(), "UNIT_KIND_");
        assert_eq!(UnitKind::ServiceCentre.short_name(), "service_centre");
        assert_eq!(revision::State::InReview.short_name(), "in_review");
        assert_eq!(revision::State::name_of(2), Some("STATE_IN_REVIEW"));
        assert_eq!(UnitKind::from_str_name("UNIT_KIND_OFFICE"), Some(UnitKind::Office));
        assert_eq!(<UnitKind as ProtoEnum>::name_of(99), None);
    }
}
