//! The embedded store: qdrant-edge in-process, data under one folder.
//!
//! qdrant-edge 0.7.2 does not replay its WAL on load and panics when `flush()` races a write,
//! so every write here goes through one mutex and is flushed before it returns: a write that
//! returned is durable, one that did not may be lost but never half-visible after a restart
//! (file records are written last, see `Indexer`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use parking_lot::Mutex;
use policyqa_core::{FileRecord, IndexMeta, IndexedPassage, Passage, PassageStore, SparseVector, StoreError, StoreHit, StoreQuery};
use qdrant_edge::{
    CreateIndex, FieldIndexOperations, JsonPath, PayloadFieldSchema, PayloadSchemaType,
    EdgeConfig, EdgeShard, EdgeSparseVectorParams, EdgeVectorParams, Filter, Fusion, Modifier, NamedQuery,
    PointInsertOperations, PointOperations, PointStruct, Prefetch, QueryEnum, QueryRequest, ScoringQuery,
    UpdateOperation, VectorInternal, Vectors, WithPayloadInterface, WithVector,
};
use serde_json::{json, Value};

use crate::records::{self, Record};

pub const SPARSE: &str = "bm25";
pub const DENSE: &str = "dense";

pub struct EdgeStore {
    dir: PathBuf,
    shard: EdgeShard,
    writes: Mutex<()>,
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
}

impl EdgeStore {
    /// Opens the index under `dir` (created when absent). `dense_dim`: the dimension dense
    /// vectors will have, when an embeddings endpoint is configured; it must match an
    /// existing index.
    pub fn open(dir: &Path, dense_dim: Option<usize>) -> Result<Self, StoreError> {
        let path = dir.join("index");
        let exists = path.join("segments").exists() || path.join("edge_config.json").exists();
        let shard = if exists {
            let shard = std::panic::catch_unwind(|| EdgeShard::load(&path, None))
                .map_err(|_| damaged(&path, "loading panicked"))?
                .map_err(|e| damaged(&path, e))?;
            let stored_dim = shard.config().vectors.get(DENSE).map(|v| v.size);
            match (dense_dim, stored_dim) {
                (Some(_), None) => {
                    return Err(StoreError::Mismatch(format!(
                        "the index at {} was built without dense vectors; rebuild it (policyqa ingest --rebuild PATH...) to add them",
                        path.display()
                    )))
                }
                (Some(want), Some(have)) if want != have => {
                    return Err(StoreError::Mismatch(format!(
                        "the embeddings endpoint returns {want}-dimensional vectors but the index at {} holds {have}-dimensional ones; rebuild it (policyqa ingest --rebuild PATH...)",
                        path.display()
                    )))
                }
                _ => {}
            }
            shard
        } else {
            // Built aside and renamed into place, so a failure leaves no half-made index.
            let tmp = dir.join("index.tmp");
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp).map_err(|e| StoreError::Failed(format!("cannot clear {}: {e}", tmp.display())))?;
            }
            std::fs::create_dir_all(&tmp).map_err(|e| StoreError::Failed(format!("cannot create {}: {e}", tmp.display())))?;
            let mut builder = EdgeConfig::builder()
                .sparse_vector(SPARSE, EdgeSparseVectorParams::builder().modifier(Modifier::Idf).build());
            if let Some(dim) = dense_dim {
                builder = builder.vector(DENSE, EdgeVectorParams::builder(dim, qdrant_edge::Distance::Cosine).build());
            }
            {
                let shard = EdgeShard::new(&tmp, builder.build()).map_err(failed)?;
                for (field, kind) in records::INDEXED_FIELDS {
                    let kind = match kind {
                        records::FieldKind::Keyword => PayloadSchemaType::Keyword,
                        records::FieldKind::Integer => PayloadSchemaType::Integer,
                    };
                    shard
                        .update(UpdateOperation::FieldIndexOperation(FieldIndexOperations::CreateIndex(CreateIndex {
                            field_name: field.parse::<JsonPath>().map_err(|_| failed(field))?,
                            field_schema: Some(PayloadFieldSchema::FieldType(kind)),
                        })))
                        .map_err(failed)?;
                }
                shard.flush();
            }
            std::fs::rename(&tmp, &path).map_err(|e| StoreError::Failed(format!("cannot create {}: {e}", path.display())))?;
            EdgeShard::load(&path, None).map_err(|e| damaged(&path, e))?
        };
        Ok(EdgeStore { dir: path, shard, writes: Mutex::new(()) })
    }

    fn write(&self, op: UpdateOperation) -> Result<(), StoreError> {
        let _guard = self.writes.lock();
        self.shard.update(op).map_err(failed)?;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.shard.flush()))
            .map_err(|_| StoreError::Failed(format!("could not write {} (disk full or read-only?)", self.dir.display())))
    }

    fn upsert_points(&self, points: Vec<PointStruct>) -> Result<(), StoreError> {
        if points.is_empty() {
            return Ok(());
        }
        self.write(UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsList(
            points.into_iter().map(Into::into).collect(),
        ))))
    }

    fn scroll(&self, filter: Filter, limit: usize) -> Result<Vec<Value>, StoreError> {
        let mut out = Vec::new();
        let mut offset = None;
        loop {
            let (records, next) = self
                .shard
                .scroll(qdrant_edge::ScrollRequest {
                    offset,
                    limit: Some(limit.clamp(1, 1024)),
                    filter: Some(filter.clone()),
                    with_payload: Some(WithPayloadInterface::Bool(true)),
                    with_vector: WithVector::Bool(false),
                    order_by: None,
                })
                .map_err(failed)?;
            out.extend(records.into_iter().filter_map(|r| r.payload.map(|p| Value::Object(p.0.into_iter().collect()))));
            if out.len() >= limit || next.is_none() {
                break;
            }
            offset = next;
        }
        out.truncate(limit);
        Ok(out)
    }

    pub fn optimize(&self) -> Result<(), StoreError> {
        let _guard = self.writes.lock();
        self.shard.optimize().map_err(failed)?;
        self.shard.flush();
        Ok(())
    }
}

fn damaged(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!(
        "cannot open the index at {} ({e}); move it away or run `policyqa ingest --rebuild PATH...` to build it afresh",
        path.display()
    ))
}

fn filter(v: Value) -> Filter {
    serde_json::from_value(v).expect("a valid filter")
}

fn empty_vectors() -> Vectors {
    Vectors::new_named([(SPARSE, qdrant_edge::SparseVector::default())])
}

#[async_trait]
impl PassageStore for EdgeStore {
    fn describe(&self) -> String {
        format!("embedded index at {}", self.dir.display())
    }

    async fn meta(&self) -> Result<Option<IndexMeta>, StoreError> {
        let found = self.scroll(filter(json!({"must": [{"key": "record", "match": {"value": "meta"}}]})), 1)?;
        found.first().map(records::meta_from_payload).transpose()
    }

    async fn set_meta(&self, meta: &IndexMeta) -> Result<(), StoreError> {
        self.upsert_points(vec![PointStruct::new(records::META_ID, empty_vectors(), records::meta_payload(meta))])
    }

    async fn upsert(&self, passages: Vec<IndexedPassage>) -> Result<(), StoreError> {
        let bulk = passages.len() >= 1024;
        let points = passages
            .into_iter()
            .map(|p| {
                let mut named: Vec<(&str, qdrant_edge::Vector)> =
                    vec![(SPARSE, qdrant_edge::SparseVector { indices: p.sparse.indices.clone(), values: p.sparse.values.clone() }.into())];
                if let Some(d) = &p.dense {
                    named.push((DENSE, qdrant_edge::Vector::from(VectorInternal::from(d.clone()))));
                }
                Ok(PointStruct::new(records::point_id(&p.passage.id)?, Vectors::new_named(named), records::passage_payload(&p)))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.upsert_points(points)?;
        // The appendable segment's sparse posting lists cost O(length) per insert
        // (qdrant-edge 0.7.2 propagates weights along the whole list), so a bulk load turns
        // them into an optimised segment as it goes, keeping inserts cheap.
        if bulk {
            self.optimize()?;
        }
        Ok(())
    }

    async fn delete_sources(&self, sources: &[String]) -> Result<(), StoreError> {
        if sources.is_empty() {
            return Ok(());
        }
        self.write(UpdateOperation::PointOperation(PointOperations::DeletePointsByFilter(filter(json!({"should": [
            {"key": "source", "match": {"any": sources}},
            {"key": "source_file", "match": {"any": sources}},
        ]})))))
    }

    async fn delete_doc(&self, doc_id: &str) -> Result<(), StoreError> {
        self.write(UpdateOperation::PointOperation(PointOperations::DeletePointsByFilter(filter(
            json!({"must": [{"key": "doc_id", "match": {"value": doc_id}}]}),
        ))))
    }

    async fn put_files(&self, records: &[FileRecord]) -> Result<(), StoreError> {
        self.upsert_points(records.iter().map(|r| PointStruct::new(records::file_id(&r.source), empty_vectors(), records::file_payload(r))).collect())
    }

    async fn files(&self) -> Result<Vec<FileRecord>, StoreError> {
        let found = self.scroll(filter(json!({"must": [{"key": "record", "match": {"value": "file"}}]})), usize::MAX)?;
        found.iter().map(records::file_from_payload).collect()
    }

    async fn query(&self, q: &StoreQuery) -> Result<Vec<StoreHit>, StoreError> {
        let mut must = vec![json!({"key": "record", "match": {"value": "passage"}})];
        if !q.doc_ids.is_empty() {
            must.push(json!({"key": "doc_id", "match": {"any": q.doc_ids}}));
        }
        if let Some(within) = &q.within {
            must.push(json!({"key": "doc_id", "match": {"any": within}}));
        }
        if !q.numbers.is_empty() {
            must.push(json!({"key": "number", "match": {"any": q.numbers}}));
        }
        let must_not: Vec<Value> = if q.exclude_doc_ids.is_empty() {
            vec![]
        } else {
            vec![json!({"key": "doc_id", "match": {"any": q.exclude_doc_ids}})]
        };
        let f = filter(json!({ "must": must, "must_not": must_not }));
        let limit = q.limit.max(1);
        let sparse = q.sparse.as_ref().filter(|s| !s.indices.is_empty()).map(|s| {
            ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery {
                query: VectorInternal::from(qdrant_edge::SparseVector { indices: s.indices.clone(), values: s.values.clone() }),
                using: Some(SPARSE.to_string()),
            }))
        });
        let dense = q.dense.as_ref().map(|d| {
            ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery { query: VectorInternal::from(d.clone()), using: Some(DENSE.to_string()) }))
        });
        let request = match (sparse, dense) {
            (None, None) => {
                // Address lookup: the filter alone.
                return self
                    .scroll(f, limit)?
                    .iter()
                    .map(|p| Ok(StoreHit { passage: records::passage_from_payload(p)?, score: 1.0 }))
                    .collect();
            }
            (Some(s), Some(d)) => (
                [s, d]
                    .into_iter()
                    .map(|query| Prefetch { prefetches: vec![], query: Some(query), limit: limit * 4, params: None, filter: None, score_threshold: None })
                    .collect(),
                ScoringQuery::Fusion(Fusion::Rrf { k: 60, weights: None }),
            ),
            (Some(one), None) | (None, Some(one)) => (vec![], one),
        };
        let request = QueryRequest {
            prefetches: request.0,
            query: Some(request.1),
            filter: Some(f),
            score_threshold: None,
            limit,
            offset: 0,
            params: None,
            with_vector: WithVector::Bool(false),
            with_payload: WithPayloadInterface::Bool(true),
        };
        let points = self.shard.query(request).map_err(failed)?;
        points
            .into_iter()
            .filter_map(|p| Some((p.score, Value::Object(p.payload?.0.into_iter().collect()))))
            .map(|(score, payload)| Ok(StoreHit { passage: records::passage_from_payload(&payload)?, score }))
            .collect()
    }

    async fn get(&self, ids: &[String]) -> Result<Vec<Passage>, StoreError> {
        // An id no passage can have is unknown, like any other unknown id.
        let point_ids: Vec<_> = ids.iter().filter(|id| policyqa_core::is_passage_id(id)).map(|id| records::point_id(id).map(qdrant_edge::PointId::NumId)).collect::<Result<_, _>>()?;
        if point_ids.is_empty() {
            return Ok(vec![]);
        }
        let found = self
            .shard
            .retrieve(&point_ids, Some(WithPayloadInterface::Bool(true)), Some(WithVector::Bool(false)))
            .map_err(failed)?;
        let mut by_id: HashMap<String, Passage> = HashMap::new();
        for r in found {
            if let Some(p) = r.payload {
                let v = Value::Object(p.0.into_iter().collect());
                if v.get("record").and_then(Value::as_str) == Some(Record::Passage.as_str()) {
                    let passage = records::passage_from_payload(&v)?;
                    by_id.insert(passage.id.clone(), passage);
                }
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.shard
            .count(qdrant_edge::CountRequest {
                filter: Some(filter(json!({"must": [{"key": "record", "match": {"value": "passage"}}]}))),
                exact: true,
            })
            .map_err(failed)
    }

    async fn count_matching(&self, sparse: &SparseVector, cap: usize) -> Result<usize, StoreError> {
        if sparse.indices.is_empty() {
            return Ok(0);
        }
        let request = QueryRequest {
            prefetches: vec![],
            query: Some(ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery {
                query: VectorInternal::from(qdrant_edge::SparseVector { indices: sparse.indices.clone(), values: sparse.values.clone() }),
                using: Some(SPARSE.to_string()),
            }))),
            filter: Some(filter(json!({"must": [{"key": "record", "match": {"value": "passage"}}]}))),
            score_threshold: None,
            limit: cap.max(1),
            offset: 0,
            params: None,
            with_vector: WithVector::Bool(false),
            with_payload: WithPayloadInterface::Bool(false),
        };
        Ok(self.shard.query(request).map_err(failed)?.len())
    }
}
