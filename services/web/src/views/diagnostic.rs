//! Chẩn đoán ISO 18091: a unit's diagnostics by period, and one diagnostic
//! as the standard draws it — four quadrants (institutional, economic,
//! social, environmental), each indicator a traffic light, this period's
//! beside the period before, with the change and the evidence behind it.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Html;
use eiso_proto::eiso::quality::v1::{self as pb, Change, Colour, Quadrant};
use eiso_proto::labels::{Label, ProtoEnum};
use minijinja::{Value, context};

use super::every_page::every_page;
use super::methods::{GET_DIAGNOSTIC, LIST_DIAGNOSTICS, LIST_INDICATORS};
use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;

/// The quadrants in the standard's order.
const QUADRANTS: [Quadrant; 4] = [
    Quadrant::Institutional,
    Quadrant::Economic,
    Quadrant::Social,
    Quadrant::Environmental,
];

fn href(name: &str) -> String {
    format!("/chat-luong/chan-doan/{}", name.trim_start_matches("diagnostics/"))
}

/// How many indicators of a diagnostic are of each colour: (red, yellow, green).
fn colour_counts(d: &pb::Diagnostic) -> (usize, usize, usize) {
    let of = |colour: Colour| d.assessments.iter().filter(|a| a.colour == colour as i32).count();
    (of(Colour::Red), of(Colour::Yellow), of(Colour::Green))
}

/// Chẩn đoán: every diagnostic the person may read, latest period first.
pub async fn list(State(web): State<Web>, session: Session) -> Result<Html<String>, PageError> {
    let mut diagnostics = web
        .quality()
        .list_diagnostics(
            &session.context(LIST_DIAGNOSTICS)?,
            pb::ListDiagnosticsRequest {
                page_size: 200,
                ..Default::default()
            },
        )
        .await?
        .diagnostics;
    diagnostics.sort_by(|a, b| b.period.cmp(&a.period).then_with(|| a.unit.cmp(&b.unit)));
    let mut names = Names::new(&web);
    let mut rows = Vec::new();
    for d in &diagnostics {
        let (red, yellow, green) = colour_counts(d);
        rows.push(context! {
            href => href(&d.name),
            title => d.title,
            period => d.period,
            unit => names.unit(&d.unit).await,
            red, yellow, green,
        });
    }
    web.pages().render(
        "diagnostics.html",
        context! { frame => session.frame(), title => "Chẩn đoán ISO 18091", rows },
    )
}

/// One indicator's light in a period: its colour's key and label.
fn light(colour: i32) -> Value {
    let colour = Colour::try_from(colour).unwrap_or_default();
    context! { key => colour.short_name(), label => colour.label_vi() }
}

pub async fn page(State(web): State<Web>, session: Session, Path(id): Path<String>) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    let diagnostic = web
        .quality()
        .get_diagnostic(
            &session.context(GET_DIAGNOSTIC)?,
            pb::GetDiagnosticRequest {
                name: format!("diagnostics/{id}"),
            },
        )
        .await?;
    // The indicator set is the same for every unit: the policy table still decides who reads it.
    session.context(LIST_INDICATORS)?;
    let indicators = every_page(usize::MAX, |page_token| {
        let request = pb::ListIndicatorsRequest {
            page_size: 1000,
            page_token,
            ..Default::default()
        };
        let web = &web;
        async move {
            web.quality()
                .list_indicators(request)
                .await
                .map(|answer| (answer.indicators, answer.next_page_token))
        }
    })
    .await?;
    let assessed: HashMap<&str, &pb::Assessment> = diagnostic
        .assessments
        .iter()
        .map(|a| (a.indicator.as_str(), a))
        .collect();
    let mut names = Names::new(&web);
    let mut quadrants = Vec::new();
    for quadrant in QUADRANTS {
        let mut cells = Vec::new();
        for indicator in indicators.iter().filter(|i| i.quadrant == quadrant as i32) {
            let assessment = assessed.get(indicator.name.as_str());
            if assessment.is_none() && !indicator.active {
                continue;
            }
            let change = assessment.map_or(Change::Unspecified, |a| Change::try_from(a.change).unwrap_or_default());
            let evidence: Vec<Value> = assessment
                .map(|a| {
                    a.evidence
                        .iter()
                        .map(|e| {
                            context! {
                                title => e.title,
                                kind => super::evidence::kind_label(&e.kind),
                                href => super::evidence::href(&e.name),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let assessor = match assessment {
                Some(a) if !a.assessor.is_empty() => names.user(&a.assessor).await,
                _ => String::new(),
            };
            cells.push(context! {
                number => indicator.number,
                title => indicator.title,
                now => light(assessment.map_or(0, |a| a.colour)),
                before => light(assessment.map_or(0, |a| a.previous_colour)),
                change => if change == Change::Unspecified { "" } else { change.label_vi() },
                change_key => change.short_name(),
                note => assessment.map(|a| a.note.clone()).unwrap_or_default(),
                assessor,
                evidence,
            });
        }
        let count = |colour: Colour| {
            diagnostic
                .assessments
                .iter()
                .filter(|a| a.quadrant == quadrant as i32 && a.colour == colour as i32)
                .count()
        };
        quadrants.push(context! {
            key => quadrant.short_name(),
            title => quadrant.label_vi(),
            red => count(Colour::Red),
            yellow => count(Colour::Yellow),
            green => count(Colour::Green),
            cells,
        });
    }
    let (red, yellow, green) = colour_counts(&diagnostic);
    web.pages().render(
        "diagnostic.html",
        context! {
            frame => session.frame(),
            title => diagnostic.title.clone(),
            heading => diagnostic.title,
            period => diagnostic.period,
            unit => names.unit(&diagnostic.unit).await,
            red, yellow, green,
            quadrants,
        },
    )
}
