//! Documents: list, add (JSON text or a file upload, any encoding the chunker reads), remove.
//! An added document is kept under the uploads folder and indexed from there like any file,
//! so it survives restarts and re-ingests.

use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_core::{Passage, StoreQuery};
use policyqa_index::{ingest::source_key, IngestOptions, NoProgress};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::api::ApiJson;
use crate::error::ApiError;
use crate::{wire, AppState};

#[utoipa::path(get, path = "/v1/documents", responses((status = 200, description = "The indexed documents", body = Vec<wire::Document>)))]
pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Vec<wire::Document>>, ApiError> {
    let docs: Vec<_> = state.pipeline().store().files().await?.into_iter().flat_map(|f| f.documents).collect();
    let graph = policyqa_validity::Graph::from_documents(&docs);
    let today = policyqa_validity::date_in_china(std::time::SystemTime::now());
    let listed = docs
        .into_iter()
        .map(|d| {
            let validity = today.and_then(|t| graph.standing(&d.id, t)).map(Into::into);
            wire::Document { validity, ..d.into() }
        })
        .collect();
    Ok(Json(listed))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DocumentBody {
    /// Put in front as the document's title (`# title`) when given.
    pub title: Option<String>,
    pub text: String,
}

#[utoipa::path(post, path = "/v1/documents", request_body(content = DocumentBody, description = "JSON {title?, text}, or multipart/form-data with a `file` field"),
    responses((status = 201, description = "The documents the upload holds and their passages", body = wire::AddedDocuments), (status = 400, description = "Malformed body", body = wire::ErrorBody),
              (status = 413, description = "Body over the limit", body = wire::ErrorBody), (status = 422, description = "Empty, binary or undecodable document", body = wire::ErrorBody)))]
pub async fn add(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let multipart = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    let (name, bytes) = if multipart {
        let mut form = Multipart::from_request(req, &state).await.map_err(|e| upload_error(e.status(), e.body_text()))?;
        let mut found = None;
        while let Some(field) = form.next_field().await.map_err(|e| upload_error(e.status(), e.body_text()))? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("upload.txt").to_string();
                let data = field.bytes().await.map_err(|e| upload_error(e.status(), e.body_text()))?;
                found = Some((name, data.to_vec()));
                break;
            }
        }
        found.ok_or_else(|| ApiError::bad_request("multipart body without a `file` field"))?
    } else {
        let ApiJson(body) = ApiJson::<DocumentBody>::from_request(req, &state).await?;
        let text = match body.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => format!("# {t}\n\n{}", body.text),
            None => body.text,
        };
        ("document.txt".to_string(), text.into_bytes())
    };
    // Refuse what the chunker cannot read before anything is written; image pages are
    // left to the ingest when OCR is configured (it reads them once, there).
    let reads_images = state.pipeline().indexer().chunker.reads_images();
    match policyqa_chunker::extract(&bytes, &policyqa_chunker::Limits::default()) {
        Err(policyqa_chunker::ExtractError::Scanned(_)) if reads_images => {}
        Err(e) => return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable_document", e.to_string())),
        Ok(_) => {}
    }
    let _guard = state.writes.lock().await;
    let pipeline = state.pipeline();
    let hash = hex(&Sha256::digest(&bytes)[..8]);
    let path = state.config.uploads_dir.join(format!("{hash}-{}", safe_name(&name)));
    save_whole(&state.config.uploads_dir, &path, &bytes)?;
    let summary = match pipeline.indexer().ingest(std::slice::from_ref(&path), &IngestOptions::default(), &NoProgress).await {
        Ok(s) => s,
        Err(e) => {
            // Nothing of a failed file is committed (the indexer writes a file's passages
            // and its record last); the upload goes too, so a restart does not pick it up.
            let _ = std::fs::remove_file(&path);
            return Err(ingest_error(e));
        }
    };
    if let Some((_, why)) = summary.unreadable.first() {
        let _ = std::fs::remove_file(&path);
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unreadable_document", why.clone()));
    }
    let key = source_key(&path);
    let files = pipeline.store().files().await?;
    // The same content already indexed under another name is indexed once.
    let record = files.iter().find(|f| f.source == key).or_else(|| summary.duplicates.first().and_then(|(_, original)| files.iter().find(|f| &f.source == original)));
    let documents = record.map(|r| r.documents.clone()).unwrap_or_default();
    let doc_ids: Vec<String> = documents.iter().map(|d| d.id.clone()).collect();
    let mut passages: Vec<Passage> = if doc_ids.is_empty() {
        vec![]
    } else {
        pipeline.store().query(&StoreQuery { doc_ids, limit: 100_000, ..Default::default() }).await?.into_iter().map(|h| h.passage).collect()
    };
    passages.sort_by_key(|p| p.start);
    state.refresh().await?;
    let added = wire::AddedDocuments {
        documents: documents.into_iter().map(Into::into).collect(),
        passages: passages.into_iter().map(Into::into).collect(),
        duplicate_of: summary.duplicates.first().map(|d| d.1.clone()),
    };
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Writes the upload under a temporary name in the same folder, then renames it: a reader
/// (or the next ingest) sees the whole file or none of it, also when the disk fills midway.
fn save_whole(dir: &std::path::Path, path: &std::path::Path, bytes: &[u8]) -> Result<(), ApiError> {
    std::fs::create_dir_all(dir).map_err(|e| storage_error("creating the uploads folder", &e))?;
    let tmp = dir.join(format!(".partial-{}", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(storage_error("saving the upload", &e));
    }
    Ok(())
}

/// Disk full and an unwritable data folder are said as such (the operator can act on them);
/// other IO failures stay internal.
fn storage_error(what: &str, e: &std::io::Error) -> ApiError {
    use std::io::ErrorKind::*;
    tracing::error!("{what}: {e}");
    match e.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "storage_full", "the server's data folder is full; nothing was saved"),
        PermissionDenied | ReadOnlyFilesystem | NotADirectory | IsADirectory => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "the server's data folder cannot be written; nothing was saved")
        }
        _ => ApiError::internal(what, e),
    }
}

fn ingest_error(e: policyqa_index::IngestError) -> ApiError {
    match &e {
        policyqa_index::IngestError::Embed(inner) if inner.is_transient() => {
            tracing::warn!("indexing an upload: {e}");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "embeddings_unavailable", "the embeddings endpoint is unavailable; the document was not added, the index is as it was")
        }
        policyqa_index::IngestError::Store(inner) if inner.is_transient() => {
            tracing::warn!("indexing an upload: {e}");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "index_unavailable", "the index is unavailable; the document was not added")
        }
        _ => ApiError::internal("indexing the document", &e),
    }
}

fn upload_error(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the upload is over the size limit")
    } else {
        ApiError::bad_request(format!("malformed upload: {text}"))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A file name safe to write: its last component, letters, digits, CJK, `.-_` only.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("upload.txt");
    let s: String = base.chars().map(|c| if c.is_alphanumeric() || ".-_".contains(c) { c } else { '_' }).take(80).collect();
    if s.trim_matches(['.', '_']).is_empty() { "upload.txt".into() } else { s }
}

#[utoipa::path(delete, path = "/v1/documents/{id}", params(("id" = String, Path, description = "Document id")),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such document", body = wire::ErrorBody)))]
pub async fn remove(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let _guard = state.writes.lock().await;
    let pipeline = state.pipeline();
    let files = pipeline.store().files().await?;
    let Some(file) = files.iter().find(|f| f.documents.iter().any(|d| d.id == id)) else {
        return Err(ApiError::not_found(format!("no document {id}")));
    };
    pipeline.indexer().remove(&id).await.map_err(|e| ApiError::internal("removing the document", &e))?;
    // An upload whose last document is gone goes too, so it does not come back.
    let uploads = source_key(&state.config.uploads_dir);
    if file.documents.len() == 1 && file.source.starts_with(&uploads) {
        let _ = std::fs::remove_file(&file.source);
    }
    state.refresh().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
