//! `GET /openapi.json`, generated from the handlers' annotations, the request types and the
//! response structs of [`crate::wire`].

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "policyqa", description = "Answers about Chinese policy documents, every claim cited to its clause."),
    paths(
        crate::api::ask,
        crate::api::search,
        crate::api::verify,
        crate::api::passage,
        crate::api::healthz,
        crate::api::readyz,
        crate::documents::list,
        crate::documents::add,
        crate::documents::remove,
        crate::chat_completions::complete,
        crate::models::list,
        crate::models::get,
    ),
    components(schemas(
        crate::api::AskBody, crate::api::TurnBody, crate::api::SearchBody, crate::api::FiltersBody, crate::api::VerifyBody, crate::documents::DocumentBody, crate::chat_completions::ChatBody,
        crate::wire::Answer, crate::wire::Search, crate::wire::Passage, crate::wire::Origin, crate::wire::RankedPassage, crate::wire::Citation, crate::wire::Flag,
        crate::wire::EvidenceTerm, crate::wire::ClauseLookup, crate::wire::Timings, crate::wire::Mode, crate::wire::Kind,
        crate::wire::RetrievalEvent, crate::wire::DeltaEvent, crate::wire::Document, crate::wire::AddedDocuments,
        crate::wire::Model, crate::wire::ModelList, crate::wire::Health, crate::wire::Ready, crate::wire::Check,
        crate::wire::ErrorBody, crate::wire::ErrorDetail,
        crate::wire::Verification, crate::wire::VerifiedCitation, crate::wire::VerifiedClause, crate::wire::RepealedBy, crate::wire::CitationSupport, crate::wire::ValidityEvidence,
        crate::chat_completions::Completion, crate::chat_completions::Chunk,
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
