//! `GET /openapi.json`, generated from the handlers' annotations and the request types.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "policyqa", description = "Answers about Chinese policy documents, every claim cited to its clause."),
    paths(
        crate::api::ask,
        crate::api::search,
        crate::api::passage,
        crate::documents::list,
        crate::documents::add,
        crate::documents::remove,
        crate::chat_completions::complete,
    ),
    components(schemas(crate::api::AskBody, crate::api::TurnBody, crate::api::SearchBody, crate::documents::DocumentBody, crate::chat_completions::ChatBody))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
