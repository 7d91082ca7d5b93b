//! A Qdrant server or cluster through qdrant-client (gRPC). The same point layout, the same
//! BM25 vectors (IDF applied by the server's `Idf` modifier) and the same queries as the
//! embedded store, so both rank alike. Every write waits for the server to apply it.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use policyqa_core::{FileRecord, IndexMeta, IndexedPassage, Passage, PassageStore, SparseVector, StoreError, StoreHit, StoreQuery};
use qdrant_client::qdrant::{
    Condition, CountPointsBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, DeletePointsBuilder,
    Distance, FieldType, Filter, Fusion, GetPointsBuilder, Modifier, NamedVectors, PointStruct, PrefetchQueryBuilder, Query,
    QueryPointsBuilder, ScrollPointsBuilder, SparseVectorParamsBuilder, SparseVectorsConfigBuilder, UpsertPointsBuilder, Vector,
    VectorInput, VectorParamsBuilder, VectorsConfigBuilder,
};
use qdrant_client::{Payload, Qdrant, QdrantError};
use serde_json::Value;

use crate::edge::{DENSE, SPARSE};
use crate::records::{self, Record};

/// Where and how to reach the server.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    pub url: String,
    pub api_key: Option<String>,
    pub collection: String,
    /// For users who outgrow one machine: set when the collection is created.
    pub shards: Option<u32>,
    pub replicas: Option<u32>,
    pub timeout: Duration,
}

pub struct RemoteStore {
    client: Qdrant,
    config: RemoteConfig,
}

impl RemoteStore {
    /// Connects and makes sure the collection exists (created with the sparse IDF modifier,
    /// dense vectors of `dense_dim` when given, and payload indexes). An unreachable server
    /// is an error naming its URL within the connect timeout.
    pub async fn open(config: RemoteConfig, dense_dim: Option<usize>) -> Result<Self, StoreError> {
        let client = connect(&config)?;
        let store = RemoteStore { client, config };
        let exists = store
            .client
            .collection_exists(&store.config.collection)
            .await
            .map_err(|e| store.err(e))?;
        if exists {
            let info = store.client.collection_info(&store.config.collection).await.map_err(|e| store.err(e))?;
            let stored_dim = info
                .result
                .and_then(|r| r.config)
                .and_then(|c| c.params)
                .and_then(|p| p.vectors_config)
                .and_then(|v| match v.config {
                    Some(qdrant_client::qdrant::vectors_config::Config::ParamsMap(m)) => m.map.get(DENSE).map(|p| p.size as usize),
                    _ => None,
                });
            if let Some(want) = dense_dim
                && stored_dim != Some(want) {
                    return Err(StoreError::Mismatch(format!(
                        "collection {} on {} holds {} dense vectors, the endpoint gives {want}-dimensional ones; rebuild it (policyqa ingest --rebuild PATH...)",
                        store.config.collection,
                        store.config.url,
                        stored_dim.map_or("no".to_string(), |d| format!("{d}-dimensional"))
                    )));
                }
        } else {
            let mut sparse = SparseVectorsConfigBuilder::default();
            sparse.add_named_vector_params(SPARSE, SparseVectorParamsBuilder::default().modifier(Modifier::Idf as i32));
            let mut builder = CreateCollectionBuilder::new(&store.config.collection).sparse_vectors_config(sparse);
            if let Some(dim) = dense_dim {
                let mut dense = VectorsConfigBuilder::default();
                dense.add_named_vector_params(DENSE, VectorParamsBuilder::new(dim as u64, Distance::Cosine));
                builder = builder.vectors_config(dense);
            }
            if let Some(n) = store.config.shards {
                builder = builder.shard_number(n);
            }
            if let Some(n) = store.config.replicas {
                builder = builder.replication_factor(n);
            }
            store.client.create_collection(builder).await.map_err(|e| store.err(e))?;
            for (field, kind) in records::INDEXED_FIELDS {
                let kind = match kind {
                    records::FieldKind::Keyword => FieldType::Keyword,
                    records::FieldKind::Integer => FieldType::Integer,
                };
                store
                    .client
                    .create_field_index(CreateFieldIndexCollectionBuilder::new(&store.config.collection, field, kind).wait(true))
                    .await
                    .map_err(|e| store.err(e))?;
            }
        }
        Ok(store)
    }

    /// Drops the collection (for `--rebuild` and tests).
    pub async fn drop_collection(config: &RemoteConfig) -> Result<(), StoreError> {
        let client = connect(config)?;
        if client.collection_exists(&config.collection).await.map_err(|e| StoreError::Unavailable(format!("{}: {e}", config.url)))? {
            client.delete_collection(&config.collection).await.map_err(|e| StoreError::Failed(format!("{}: {e}", config.url)))?;
        }
        Ok(())
    }

    fn err(&self, e: QdrantError) -> StoreError {
        let msg = format!("{} › {}: {e}", self.config.url, self.config.collection);
        match &e {
            QdrantError::ResponseError { status } => match status.code() {
                tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::ResourceExhausted | tonic::Code::Aborted => {
                    StoreError::Unavailable(msg)
                }
                // The client reports a refused connection as an internal error.
                tonic::Code::Internal | tonic::Code::Unknown if status.message().contains("connect") => {
                    StoreError::Unavailable(format!("{}: cannot connect (is the Qdrant server running?)", self.config.url))
                }
                _ => StoreError::Failed(msg),
            },
            _ => StoreError::Unavailable(msg),
        }
    }

    fn name(&self) -> &str {
        &self.config.collection
    }

    async fn scroll(&self, filter: Filter, limit: usize) -> Result<Vec<Value>, StoreError> {
        let mut out = Vec::new();
        let mut offset = None;
        loop {
            let mut req = ScrollPointsBuilder::new(self.name()).filter(filter.clone()).limit(limit.clamp(1, 1024) as u32).with_payload(true);
            if let Some(o) = offset.take() {
                req = req.offset(o);
            }
            let resp = self.client.scroll(req).await.map_err(|e| self.err(e))?;
            out.extend(resp.result.into_iter().map(|p| payload_json(p.payload)));
            match resp.next_page_offset {
                Some(next) if out.len() < limit => offset = Some(next),
                _ => break,
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    async fn upsert_points(&self, points: Vec<PointStruct>) -> Result<(), StoreError> {
        if points.is_empty() {
            return Ok(());
        }
        self.client.upsert_points(UpsertPointsBuilder::new(self.name(), points).wait(true)).await.map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn delete(&self, filter: Filter) -> Result<(), StoreError> {
        self.client.delete_points(DeletePointsBuilder::new(self.name()).points(filter).wait(true)).await.map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// A client that gives up connecting after 3 s, so an unreachable server is named quickly.
fn connect(config: &RemoteConfig) -> Result<Qdrant, StoreError> {
    Qdrant::from_url(&config.url)
        .api_key(config.api_key.clone())
        .timeout(config.timeout)
        .connect_timeout(Duration::from_secs(3))
        .skip_compatibility_check()
        .build()
        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", config.url)))
}

fn payload_json(p: HashMap<String, qdrant_client::qdrant::Value>) -> Value {
    Value::Object(p.into_iter().map(|(k, v)| (k, v.into_json())).collect())
}

fn payload(v: Value) -> Result<Payload, StoreError> {
    Payload::try_from(v).map_err(|e| StoreError::Failed(format!("payload: {e}")))
}

fn record_is(r: Record) -> Condition {
    Condition::matches("record", r.as_str().to_string())
}

fn empty_vectors() -> NamedVectors {
    NamedVectors::default().add_vector(SPARSE, Vector::new_sparse(Vec::<u32>::new(), Vec::<f32>::new()))
}

#[async_trait]
impl PassageStore for RemoteStore {
    fn describe(&self) -> String {
        format!("Qdrant at {} › {}", self.config.url, self.config.collection)
    }

    async fn meta(&self) -> Result<Option<IndexMeta>, StoreError> {
        let found = self.scroll(Filter::must([record_is(Record::Meta)]), 1).await?;
        found.first().map(records::meta_from_payload).transpose()
    }

    async fn set_meta(&self, meta: &IndexMeta) -> Result<(), StoreError> {
        self.upsert_points(vec![PointStruct::new(records::META_ID, empty_vectors(), payload(records::meta_payload(meta))?)]).await
    }

    async fn upsert(&self, passages: Vec<IndexedPassage>) -> Result<(), StoreError> {
        let mut points = Vec::with_capacity(passages.len());
        for p in passages {
            let mut v = NamedVectors::default().add_vector(SPARSE, Vector::new_sparse(p.sparse.indices.clone(), p.sparse.values.clone()));
            if let Some(d) = &p.dense {
                v = v.add_vector(DENSE, Vector::new_dense(d.clone()));
            }
            points.push(PointStruct::new(records::point_id(&p.passage.id)?, v, payload(records::passage_payload(&p))?));
        }
        for chunk in points.chunks(512) {
            self.upsert_points(chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn delete_sources(&self, sources: &[String]) -> Result<(), StoreError> {
        if sources.is_empty() {
            return Ok(());
        }
        self.delete(Filter::should([
            Condition::matches("source", sources.to_vec()),
            Condition::matches("source_file", sources.to_vec()),
        ]))
        .await
    }

    async fn delete_doc(&self, doc_id: &str) -> Result<(), StoreError> {
        self.delete(Filter::must([Condition::matches("doc_id", doc_id.to_string())])).await
    }

    async fn put_files(&self, files: &[FileRecord]) -> Result<(), StoreError> {
        let mut points = Vec::new();
        for r in files {
            points.push(PointStruct::new(records::file_id(&r.source), empty_vectors(), payload(records::file_payload(r))?));
        }
        self.upsert_points(points).await
    }

    async fn files(&self) -> Result<Vec<FileRecord>, StoreError> {
        let found = self.scroll(Filter::must([record_is(Record::File)]), usize::MAX).await?;
        found.iter().map(records::file_from_payload).collect()
    }

    async fn query(&self, q: &StoreQuery) -> Result<Vec<StoreHit>, StoreError> {
        let mut must = vec![record_is(Record::Passage)];
        if !q.doc_ids.is_empty() {
            must.push(Condition::matches("doc_id", q.doc_ids.clone()));
        }
        if let Some(within) = &q.within {
            must.push(Condition::matches("doc_id", within.clone()));
        }
        if !q.numbers.is_empty() {
            must.push(Condition::matches("number", q.numbers.iter().map(|n| *n as i64).collect::<Vec<_>>()));
        }
        let mut filter = Filter::must(must);
        if !q.exclude_doc_ids.is_empty() {
            filter.must_not = vec![Condition::matches("doc_id", q.exclude_doc_ids.clone())];
        }
        let limit = q.limit.max(1) as u64;
        let sparse = q
            .sparse
            .as_ref()
            .filter(|s| !s.indices.is_empty())
            .map(|s| (Query::new_nearest(VectorInput::new_sparse(s.indices.clone(), s.values.clone())), SPARSE));
        let dense = q.dense.as_ref().map(|d| (Query::new_nearest(VectorInput::new_dense(d.clone())), DENSE));
        let request = match (sparse, dense) {
            (None, None) => {
                return self
                    .scroll(filter, q.limit.max(1))
                    .await?
                    .iter()
                    .map(|p| Ok(StoreHit { passage: records::passage_from_payload(p)?, score: 1.0 }))
                    .collect();
            }
            (Some(s), Some(d)) => QueryPointsBuilder::new(self.name())
                .add_prefetch(PrefetchQueryBuilder::default().query(s.0).using(s.1).limit(limit * 4))
                .add_prefetch(PrefetchQueryBuilder::default().query(d.0).using(d.1).limit(limit * 4))
                .query(Query::new_fusion(Fusion::Rrf)),
            (Some((query, using)), None) | (None, Some((query, using))) => QueryPointsBuilder::new(self.name()).query(query).using(using),
        };
        let resp = self.client.query(request.filter(filter).limit(limit).with_payload(true)).await.map_err(|e| self.err(e))?;
        resp.result
            .into_iter()
            .map(|p| Ok(StoreHit { score: p.score, passage: records::passage_from_payload(&payload_json(p.payload))? }))
            .collect()
    }

    async fn get(&self, ids: &[String]) -> Result<Vec<Passage>, StoreError> {
        // An id no passage can have is unknown, like any other unknown id.
        let point_ids: Vec<qdrant_client::qdrant::PointId> =
            ids.iter().filter(|id| policyqa_core::is_passage_id(id)).map(|id| records::point_id(id).map(Into::into)).collect::<Result<_, _>>()?;
        if point_ids.is_empty() {
            return Ok(vec![]);
        }
        let resp = self.client.get_points(GetPointsBuilder::new(self.name(), point_ids).with_payload(true)).await.map_err(|e| self.err(e))?;
        let mut by_id: HashMap<String, Passage> = HashMap::new();
        for p in resp.result {
            let v = payload_json(p.payload);
            if v.get("record").and_then(Value::as_str) == Some(Record::Passage.as_str()) {
                let passage = records::passage_from_payload(&v)?;
                by_id.insert(passage.id.clone(), passage);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn count(&self) -> Result<usize, StoreError> {
        let resp = self
            .client
            .count(CountPointsBuilder::new(self.name()).filter(Filter::must([record_is(Record::Passage)])).exact(true))
            .await
            .map_err(|e| self.err(e))?;
        Ok(resp.result.map_or(0, |r| r.count as usize))
    }

    async fn count_matching(&self, sparse: &SparseVector, cap: usize) -> Result<usize, StoreError> {
        if sparse.indices.is_empty() {
            return Ok(0);
        }
        let request = QueryPointsBuilder::new(self.name())
            .query(Query::new_nearest(VectorInput::new_sparse(sparse.indices.clone(), sparse.values.clone())))
            .using(SPARSE)
            .filter(Filter::must([record_is(Record::Passage)]))
            .limit(cap.max(1) as u64)
            .with_payload(false);
        Ok(self.client.query(request).await.map_err(|e| self.err(e))?.result.len())
    }
}
