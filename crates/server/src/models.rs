//! `GET /v1/models` and `GET /v1/models/{id}`: what OpenAI-compatible clients (Open WebUI,
//! Cherry Studio, LobeChat, the `openai` SDKs' `models.list()`) ask when a user adds a
//! provider. One model: policyqa's answers, under the configured name.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;

use crate::error::ApiError;
use crate::wire::{Model, ModelList};
use crate::AppState;

/// A fixed creation time (the models' list is about the service, not a training run).
const CREATED: u64 = 1_767_225_600; // 2026-01-01

fn model(name: &str) -> Model {
    Model { id: name.to_string(), object: "model".into(), created: CREATED, owned_by: "policyqa".into() }
}

#[utoipa::path(get, path = "/v1/models", responses((status = 200, description = "The one model", body = ModelList)))]
pub async fn list(State(state): State<Arc<AppState>>) -> Json<ModelList> {
    Json(ModelList { object: "list".into(), data: vec![model(&state.config.model_name)] })
}

#[utoipa::path(get, path = "/v1/models/{id}", params(("id" = String, Path, description = "Model id")),
    responses((status = 200, description = "The model", body = Model), (status = 404, description = "No such model", body = crate::wire::ErrorBody)))]
pub async fn get(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<Model>, ApiError> {
    if id == state.config.model_name {
        Ok(Json(model(&id)))
    } else {
        Err(ApiError::not_found(format!("no model {id:?}; this server has {:?}", state.config.model_name)))
    }
}
