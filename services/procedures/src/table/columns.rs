//! The columns of the catalogue table: titles, keys, which are required, and how the
//! workbook shows and explains them.

use super::{COLUMN_KEYS, COLUMNS};

/// The columns, in the order of [`COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Code,
    DisplayName,
    Field,
    Level,
    Agency,
    ProcessingTime,
    SupplementMode,
    Steps,
    RequiredDocuments,
    Fees,
    LegalBasis,
    OnlineLevel,
    ProcessDocument,
}

pub(super) const ALL_COLUMNS: [Column; 13] = [
    Column::Code,
    Column::DisplayName,
    Column::Field,
    Column::Level,
    Column::Agency,
    Column::ProcessingTime,
    Column::SupplementMode,
    Column::Steps,
    Column::RequiredDocuments,
    Column::Fees,
    Column::LegalBasis,
    Column::OnlineLevel,
    Column::ProcessDocument,
];

impl Column {
    pub(super) fn title(self) -> &'static str {
        COLUMNS[self as usize]
    }

    pub(super) fn key(self) -> &'static str {
        COLUMN_KEYS[self as usize]
    }

    pub(super) fn required(self) -> bool {
        matches!(
            self,
            Self::Code | Self::DisplayName | Self::Field | Self::Level | Self::Agency | Self::ProcessingTime
        )
    }

    /// Width in the XLSX sheet, in characters.
    pub(super) fn width(self) -> f64 {
        match self {
            Self::Code => 22.0,
            Self::DisplayName => 45.0,
            Self::Field => 24.0,
            Self::Level => 15.0,
            Self::Agency => 26.0,
            Self::ProcessingTime => 18.0,
            Self::SupplementMode => 16.0,
            Self::Steps => 60.0,
            Self::RequiredDocuments => 65.0,
            Self::Fees => 34.0,
            Self::LegalBasis => 55.0,
            Self::OnlineLevel => 20.0,
            Self::ProcessDocument => 30.0,
        }
    }

    /// How to fill the column, for the guide sheet of the workbook.
    pub(super) fn guide(self) -> &'static str {
        match self {
            Self::Code => "Mã thủ tục trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 2.002481 hoặc 1.001234.000.00.00.H31",
            Self::DisplayName => "Tên đầy đủ của thủ tục",
            Self::Field => "Lĩnh vực, ví dụ: Giáo dục trung học",
            Self::Level => "Cấp trung ương, Cấp tỉnh, Cấp huyện hoặc Cấp xã",
            Self::Agency => "Đơn vị giải quyết trong eiso: units/{mã đơn vị}",
            Self::ProcessingTime => {
                "Ví dụ: 15 ngày làm việc hoặc 8 giờ làm việc; chỉ ghi số thì hiểu là số ngày làm việc"
            }
            Self::SupplementMode => {
                "Khi yêu cầu bổ sung hồ sơ: Tính lại từ đầu (mặc định, để trống cũng vậy) hoặc Tạm dừng"
            }
            Self::Steps => {
                "Mỗi bước một dòng: Tên bước | Người thực hiện | 4 giờ. Tổng số giờ các bước phải bằng thời hạn \
                 giải quyết (1 ngày làm việc = 8 giờ)"
            }
            Self::RequiredDocuments => {
                "Mỗi giấy tờ một dòng: Tên giấy tờ | Loại bản | 1 bộ. Loại bản: Bản chính, Bản sao có chứng thực, \
                 Bản sao, Bản chính hoặc bản sao có chứng thực"
            }
            Self::Fees => "Mỗi khoản một dòng: Mô tả | 50.000 đồng. Ghi Không nếu không thu phí, lệ phí",
            Self::LegalBasis => "Mỗi văn bản một dòng",
            Self::OnlineLevel => "Toàn trình, Một phần hoặc Cung cấp thông tin",
            Self::ProcessDocument => "Tài liệu quy trình ISO: documents/{mã tài liệu}, hoặc để trống",
        }
    }
}
