//! Fixtures of the one-stop counter: the procedure most tests receive
//! dossiers for, a receipt of one, the counter's people, and a school of the
//! education office with the units around it.

use eiso_proto::eiso::procedures::v1::{
    Applicant, Channel, CopyKind, CreateProcedureRequest, Procedure, ProcedureLevel, ProcedureVersion, ProcessingTime,
    PublishProcedureVersionRequest, ReceiveDossierRequest, ReceivedDocument, processing_time,
};

use crate::{Catalogue, Dossiers, TestServer};

/// The code of [`TestServer::transfer_procedure`].
pub const TRANSFER: &str = "2.002481";

impl TestServer {
    /// Creates and publishes, as `controller`, "Chuyển trường đối với học
    /// sinh trung học cơ sở" (`procedures/2.002481`) at `agency`: 3 working
    /// days, no steps.
    pub async fn transfer_procedure(&self, controller: &str, agency: &str) {
        self.publish_procedure(controller, TRANSFER, transfer_version(agency))
            .await;
    }

    /// Creates procedure `code` with `version` as `controller`, and publishes
    /// it; the procedure as created.
    pub async fn publish_procedure(&self, controller: &str, code: &str, version: ProcedureVersion) -> Procedure {
        publish_procedure(&mut self.catalogue(controller), code, version).await
    }
}

/// Creates procedure `code` with `version` through `catalogue` (a server of
/// this process or another), and publishes it; the procedure as created.
pub async fn publish_procedure(catalogue: &mut Catalogue, code: &str, version: ProcedureVersion) -> Procedure {
    let created = catalogue
        .create_procedure(CreateProcedureRequest {
            code: code.into(),
            version: Some(version),
            request_id: String::new(),
        })
        .await
        .expect("the procedure is created")
        .into_inner();
    catalogue
        .publish_procedure_version(PublishProcedureVersionRequest {
            name: created.version.clone().expect("a first version").name,
        })
        .await
        .expect("the procedure is published");
    created
}

/// The content of [`TestServer::transfer_procedure`] at `agency`: "Chuyển
/// trường đối với học sinh trung học cơ sở", 3 working days, no steps.
pub fn transfer_version(agency: &str) -> ProcedureVersion {
    ProcedureVersion {
        display_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
        field: "Giáo dục trung học".into(),
        level: ProcedureLevel::Commune as i32,
        agency: agency.into(),
        processing_time: Some(ProcessingTime {
            budget: Some(processing_time::Budget::WorkingDays(3)),
        }),
        ..Default::default()
    }
}

/// [`transfer_version`] for primary pupils: "Chuyển trường đối với học sinh
/// tiểu học".
pub fn primary_transfer_version(agency: &str) -> ProcedureVersion {
    ProcedureVersion {
        display_name: "Chuyển trường đối với học sinh tiểu học".into(),
        field: "Giáo dục tiểu học".into(),
        ..transfer_version(agency)
    }
}

/// A receipt at `agency` of a dossier for [`TestServer::transfer_procedure`]
/// from `applicant` (an ID number, phone and address filled in), one original
/// application form.
pub fn transfer_receipt(agency: &str, applicant: &str, channel: Channel) -> ReceiveDossierRequest {
    ReceiveDossierRequest {
        agency: agency.into(),
        procedure: format!("procedures/{TRANSFER}"),
        applicant: Some(Applicant {
            full_name: applicant.into(),
            id_number: "031204001234".into(),
            phone: "0912 345 678".into(),
            address: "Số 5, phường Đằng Lâm, Hải Phòng".into(),
            email: String::new(),
            r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
        }),
        summary: "Xin chuyển trường cho con".into(),
        channel: channel as i32,
        documents: vec![ReceivedDocument {
            display_name: "Đơn xin chuyển trường".into(),
            copy_kind: CopyKind::Original as i32,
            sets: 1,
        }],
        request_id: String::new(),
        dossier_sets: 1,
    }
}

impl TestServer {
    /// The dossier clients of a counter's three people at `unit`: `mot.cua`
    /// (counter staff), who receives; `chuyen.vien` (processing officer), who
    /// handles; `lanh.dao` (leader), who signs.
    pub async fn counter_desks(&self, unit: &str) -> (Dossiers, Dossiers, Dossiers) {
        use eiso_proto::eiso::identity::v1::Role;
        let (_, counter) = self.user_with_role("mot.cua", Role::CounterStaff, unit).await;
        let (_, officer) = self.user_with_role("chuyen.vien", Role::ProcessingOfficer, unit).await;
        let (_, leader) = self.user_with_role("lanh.dao", Role::Leader, unit).await;
        (self.dossiers(&counter), self.dossiers(&officer), self.dossiers(&leader))
    }
}

/// An office that runs a one-stop counter, and its document controller.
pub struct Office {
    pub unit: eiso_proto::eiso::identity::v1::Unit,
    /// The token of `thu.ky`, document controller of the office.
    pub controller: String,
}

impl TestServer {
    /// "PGD" (Phòng Giáo dục và Đào tạo) under the root unit, with `thu.ky`,
    /// its document controller (who keeps the procedures catalogue).
    pub async fn education_office(&self) -> Office {
        let unit = self
            .create_unit("PGD", "Phòng Giáo dục và Đào tạo", &self.root_unit().await.name)
            .await;
        let (_, controller) = self
            .user_with_role(
                "thu.ky",
                eiso_proto::eiso::identity::v1::Role::DocumentController,
                &unit.name,
            )
            .await;
        Office { unit, controller }
    }
}

/// A school of the education office, and the units a scoping test asks
/// from: a team below the school and a school beside it.
pub struct SchoolUnits {
    pub office: Office,
    pub school: eiso_proto::eiso::identity::v1::Unit,
    pub below: eiso_proto::eiso::identity::v1::Unit,
    pub sibling: eiso_proto::eiso::identity::v1::Unit,
}

impl SchoolUnits {
    /// Who reads the school's pages, as [`crate::web::scoped_readers`] has
    /// them: the school and the office see, the team below and the school
    /// beside do not.
    pub fn readers(&self) -> [(&'static str, &str, bool); 4] {
        crate::web::scoped_readers(
            &self.school.name,
            &self.office.unit.name,
            &self.below.name,
            &self.sibling.name,
        )
    }
}

impl TestServer {
    /// "Trường THCS A" under [`TestServer::education_office`], with a team
    /// below it and "Trường THCS B" beside it.
    pub async fn school_units(&self) -> SchoolUnits {
        let office = self.education_office().await;
        let school = self.create_unit("THCS-A", "Trường THCS A", &office.unit.name).await;
        let below = self.create_unit("THCS-A-TO", "Tổ chuyên môn", &school.name).await;
        let sibling = self.create_unit("THCS-B", "Trường THCS B", &office.unit.name).await;
        SchoolUnits {
            office,
            school,
            below,
            sibling,
        }
    }
}

/// A school of the education office with its dossier, and the units a
/// scoping test asks from: a team below the school and a school beside it.
pub struct SchoolWithDossier {
    pub office: Office,
    pub school: eiso_proto::eiso::identity::v1::Unit,
    pub below: eiso_proto::eiso::identity::v1::Unit,
    pub sibling: eiso_proto::eiso::identity::v1::Unit,
    /// Received at the school's counter from "Trần Thị Bình" for [`TRANSFER`].
    pub dossier: eiso_proto::eiso::procedures::v1::Dossier,
}

impl TestServer {
    /// The [`SchoolUnits`]; the school publishes [`TRANSFER`] and its clerk
    /// `mot.cua.a` receives one dossier.
    pub async fn school_with_dossier(&self) -> SchoolWithDossier {
        let SchoolUnits {
            office,
            school,
            below,
            sibling,
        } = self.school_units().await;
        self.transfer_procedure(&office.controller, &school.name).await;
        let (_, clerk) = self
            .user_with_role(
                "mot.cua.a",
                eiso_proto::eiso::identity::v1::Role::CounterStaff,
                &school.name,
            )
            .await;
        let dossier = self
            .dossiers(&clerk)
            .receive_dossier(transfer_receipt(&school.name, "Trần Thị Bình", Channel::Direct))
            .await
            .unwrap()
            .into_inner();
        SchoolWithDossier {
            office,
            school,
            below,
            sibling,
            dossier,
        }
    }
}
