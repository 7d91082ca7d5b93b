//! Hybrid retrieval: the clause-address path first (a question that names a clause gets that
//! clause by payload filter, ranked first), then BM25 (fused with dense vectors by RRF inside
//! the store when an embeddings endpoint is configured) over the question's content words,
//! expanded with the official terms of its colloquial words.

use std::sync::Arc;
use std::time::Instant;

use policyqa_core::{DocumentFilter, Embedder, IndexMeta, Passage, PassageStore, StoreError, StoreQuery};
use policyqa_index::{Bm25Encoder, ChineseSegmenter};

use crate::analysis::{analyse, Analysis, Catalog, QUERY_STOPWORDS};
use crate::characters::CharacterScorer;
use crate::lexicon::Lexicon;

/// Questions longer than this are refused (a question, not a document).
pub const MAX_QUERY_CHARS: usize = 2000;
pub const MAX_TOP_K: usize = 100;
/// Up to this many documents, a missing clause is answered with the clauses of all of them.
const SMALL_CORPUS_DOCUMENTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the question is empty")]
    Empty,
    #[error("the question is {0} characters long; the limit is {MAX_QUERY_CHARS}")]
    TooLong(usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the query is built and the results ranked. The defaults were chosen on the tuning
/// halves of the dev sets (`policyqa eval --half tune --knob NAME=VALUE`).
#[derive(Debug, Clone)]
pub struct RetrievalConfig {
    /// Weight of a lexicon expansion relative to the question's own words.
    pub expansion_weight: f32,
    pub use_lexicon: bool,
    /// Question scaffolding and function words out of the query.
    pub clean_query: bool,
    /// Prefer the documents a question names.
    pub scope_to_named_documents: bool,
    /// How much a named document's passages count over the others' (their scores are
    /// multiplied by it). The named documents' results and everyone's are merged, so a scope
    /// the question did not mean costs no recall.
    pub scope_boost: f32,
    /// In a long question (a situation told, then the question), the weight of the words of
    /// its last sentence, the one that asks, over the narrative's.
    pub focus_weight: f32,
    /// The words' best candidates scored again by the characters they share with the
    /// question (see [`crate::characters`]), at this weight against the words' score; in an
    /// index of at most 2,000 passages the passages the words miss follow their hits, ranked
    /// by those characters; 0: off, both.
    pub character_weight: f32,
    /// With it, the weight of the share of the question's character bigrams a candidate
    /// holds.
    pub bigram_weight: f32,
}

impl Default for RetrievalConfig {
    fn default() -> Self {
        RetrievalConfig { expansion_weight: 0.5, use_lexicon: true, clean_query: true, scope_to_named_documents: true, scope_boost: 1.5, focus_weight: 2.0, character_weight: 1.0, bigram_weight: 0.5 }
    }
}

impl RetrievalConfig {
    /// Sets one knob by name, for tuning runs (`--knob NAME=VALUE`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let number = || value.parse::<f32>().map_err(|_| format!("{name}={value}: expected a number"));
        match name {
            "expansion_weight" => self.expansion_weight = number()?,
            "scope_boost" => self.scope_boost = number()?,
            "focus_weight" => self.focus_weight = number()?,
            "character_weight" => self.character_weight = number()?,
            "bigram_weight" => self.bigram_weight = number()?,
            other => return Err(format!("{other}: expected expansion_weight, scope_boost, focus_weight, character_weight or bigram_weight")),
        }
        Ok(())
    }
}

/// How many of the words' best the characters score again.
const RESCORED_CANDIDATES: usize = 30;

/// An index of at most this many passages has every passage scored by its characters when
/// too few share a word with the question.
const SCAN_ALL_BELOW: usize = 2_000;
/// A question this long (characters of content) with more than one sentence is a situation
/// told, then asked about.
const LONG_QUESTION: usize = 40;


#[derive(Debug, Clone, serde::Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub score: f32,
    #[serde(flatten)]
    pub passage: Passage,
}

/// How the clause-address path went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClauseLookup {
    pub asked: Vec<String>,
    pub found: bool,
    /// Clause labels the named documents do have, when the asked one is missing (none when
    /// they have no numbered clauses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<String>,
    /// How many of the ranked passages, from the first, are the asked clauses (the address
    /// path puts them first; BM25's results follow).
    #[serde(skip)]
    pub hits: usize,
}

/// The score shown for a clause found by its address: above any BM25 score, so a reader of
/// the ranking sees it was found by number (what found it is [`ClauseLookup::hits`]).
pub const ADDRESS_SCORE: f32 = 1000.0;

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResult {
    pub query: String,
    pub passages: Vec<Ranked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause_lookup: Option<ClauseLookup>,
    pub analysis: Analysis,
    pub expansions: Vec<(String, String)>,
    pub millis: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One content word of a question with how much it says: rare words in the corpus weigh
/// more (an IDF estimate), and the official terms the lexicon gives for it count as it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WeightedTerm {
    pub term: String,
    /// Passages holding the term, counted up to [`DF_CAP`].
    pub df: usize,
    pub weight: f32,
    /// Official terms standing for this word (lexicon expansions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// Specific in general Chinese (not filler such as 起来, 机会), whatever the corpus says.
    pub specific: bool,
    /// Shorter words inside this one (老师傅: 老师, 师傅), which count partly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// Document frequencies are counted up to this many passages: above it a word is common,
/// and how common no longer matters for weighting.
pub const DF_CAP: usize = 256;

pub struct Retriever {
    store: Arc<dyn PassageStore>,
    embedder: Option<Arc<dyn Embedder>>,
    bm25: Bm25Encoder,
    catalog: Catalog,
    lexicon: Lexicon,
    config: RetrievalConfig,
    /// The corpus's characters (none in an index built before they were recorded: the
    /// words alone rank there).
    characters: Option<CharacterScorer>,
}

impl Retriever {
    /// Reads the index settings and the document list from the store.
    pub async fn open(
        store: Arc<dyn PassageStore>,
        embedder: Option<Arc<dyn Embedder>>,
        lexicon: Lexicon,
        config: RetrievalConfig,
    ) -> Result<Self, StoreError> {
        let meta = store.meta().await?;
        let meta = meta.unwrap_or(IndexMeta { avg_len: 60.0, ..Default::default() });
        let documents = store.files().await?.into_iter().flat_map(|f| f.documents).collect();
        let segmenter = ChineseSegmenter::default();
        segmenter.warm_up();
        // Dense vectors only when the index holds them.
        let embedder = embedder.filter(|_| meta.dense_dim.is_some());
        let characters = meta.characters.as_ref().map(CharacterScorer::new);
        Ok(Retriever { store, embedder, bm25: Bm25Encoder::new(segmenter, meta.avg_len), catalog: Catalog::new(documents), lexicon, config, characters })
    }

    /// Whether dense vectors take part (an endpoint is configured and the index holds them).
    pub fn dense(&self) -> bool {
        self.embedder.is_some()
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The passages that best answer a question, from the documents in force today (and
    /// those it names).
    pub async fn search(&self, question: &str, top_k: usize) -> Result<SearchResult, SearchError> {
        self.search_filtered(question, top_k, &DocumentFilter::default()).await
    }

    /// The same, from the documents a filter admits; statuses read on its `as_of` date
    /// (today in China when it has none).
    pub async fn search_filtered(&self, question: &str, top_k: usize, filter: &DocumentFilter) -> Result<SearchResult, SearchError> {
        let started = Instant::now();
        let q = question.trim();
        if q.is_empty() {
            return Err(SearchError::Empty);
        }
        let n = q.chars().count();
        if n > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong(n));
        }
        let top_k = top_k.clamp(1, MAX_TOP_K);
        let mut analysis = analyse(q, &self.catalog);
        if !self.config.clean_query {
            analysis.content = policyqa_chunker::lines::fold(q);
        }
        let mut warnings = Vec::new();
        // Which documents may answer: the filter's, those in force on the date; a named
        // document in the version that applies then.
        let date = filter.as_of.or_else(|| policyqa_validity::date_in_china(std::time::SystemTime::now()));
        if let Some(date) = date {
            analysis.doc_ids = self.catalog.in_force_versions(&analysis.doc_ids, date);
        }
        let eligible = self.catalog.eligible(filter, date, &analysis.doc_ids);
        if eligible.within.as_ref().is_some_and(Vec::is_empty) {
            warnings.push("no indexed document meets the filters".to_string());
            let millis = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(SearchResult { query: question.to_string(), passages: vec![], clause_lookup: None, analysis, expansions: vec![], millis, warnings });
        }
        let (within, excluded) = (eligible.within, eligible.excluded);

        // 1. The clause-address path.
        let mut ranked: Vec<(Passage, f32)> = Vec::new();
        let mut clause_lookup = None;
        if !analysis.clause_refs.is_empty() {
            let numbers: Vec<u32> = analysis.clause_refs.iter().map(|r| r.number).collect();
            let hits = self
                .store
                .query(&StoreQuery {
                    doc_ids: analysis.doc_ids.clone(),
                    within: within.clone(),
                    exclude_doc_ids: excluded.clone(),
                    numbers: numbers.clone(),
                    limit: 200,
                    ..Default::default()
                })
                .await?;
            let mut hits: Vec<Passage> = hits.into_iter().map(|h| h.passage).filter(|p| p.kind == policyqa_core::PassageKind::Clause).collect();
            // Several documents have a 第十四条: the rest of the question decides the order.
            if hits.len() > 1 {
                let sparse = self.bm25.query(&self.terms(&analysis.content, &[]));
                let order = self
                    .store
                    .query(&StoreQuery { sparse: Some(sparse), doc_ids: analysis.doc_ids.clone(), within: within.clone(), exclude_doc_ids: excluded.clone(), numbers, limit: 200, ..Default::default() })
                    .await?;
                let pos = |id: &str| order.iter().position(|h| h.passage.id == id).unwrap_or(usize::MAX);
                hits.sort_by_key(|p| (pos(&p.id), p.doc_id.clone(), p.part.unwrap_or(0)));
            } else {
                hits.sort_by_key(|p| p.part.unwrap_or(0));
            }
            let found = !hits.is_empty();
            // Which clauses there are: in the named documents, or, on a small corpus, in all.
            let scope: Vec<String> = if !analysis.doc_ids.is_empty() {
                analysis.doc_ids.clone()
            } else if self.catalog.documents.len() <= SMALL_CORPUS_DOCUMENTS {
                self.catalog.documents.iter().map(|d| d.id.clone()).filter(|id| !excluded.contains(id) && within.as_ref().is_none_or(|w| w.contains(id))).collect()
            } else {
                vec![]
            };
            let available = if !found && !scope.is_empty() { self.describe_clauses(&scope).await? } else { None };
            clause_lookup = Some(ClauseLookup { asked: analysis.clause_refs.iter().map(|r| r.text.clone()).collect(), found, available, hits: hits.len() });
            ranked.extend(hits.into_iter().map(|p| (p, ADDRESS_SCORE)));
        }

        // 2. Content words: BM25 (and dense), the named documents preferred.
        let expansions = if self.config.use_lexicon { self.lexicon.expand(&analysis.content) } else { Vec::new() };
        let terms = self.focused(self.terms(&analysis.content, &expansions), q);
        if !terms.is_empty() || self.embedder.is_some() {
            let sparse = self.bm25.query(&terms);
            let dense = match &self.embedder {
                Some(e) => match e.embed_query(q).await {
                    Ok(v) => Some(v),
                    Err(err) => {
                        warnings.push(format!("dense retrieval unavailable ({err}); sparse results only"));
                        None
                    }
                },
                None => None,
            };
            let rescore = self.characters.as_ref().filter(|_| self.config.character_weight > 0.0);
            let limit = if rescore.is_some() { RESCORED_CANDIDATES.max(top_k * 2) } else { top_k * 2 };
            let query = StoreQuery { sparse: Some(sparse), dense, doc_ids: vec![], within: within.clone(), exclude_doc_ids: excluded.clone(), numbers: vec![], limit };
            let mut hits = self.store.query(&query).await?;
            // Few passages share a word with the question ("我妈腿脚不好，能不能有人把饭送到家里"
            // against 上门送餐、独居): in a small index the other passages follow the words'
            // hits, ranked by the characters they share with it, so the clause can still be
            // found. They never go before a hit.
            let corpus: usize = self.catalog.documents.iter().map(|d| d.passages).sum();
            let mut rest = Vec::new();
            if rescore.is_some() && hits.len() < limit && corpus <= SCAN_ALL_BELOW {
                let all = StoreQuery { doc_ids: self.catalog.documents.iter().map(|d| d.id.clone()).collect(), within: within.clone(), exclude_doc_ids: excluded.clone(), limit: corpus + 1, ..Default::default() };
                rest = self.store.query(&all).await?.into_iter().filter(|h| !hits.iter().any(|x| x.passage.id == h.passage.id)).collect();
            }
            if self.config.scope_to_named_documents && !analysis.doc_ids.is_empty() {
                // The named documents' best, preferred by `scope_boost`, merged with everyone's.
                let scoped = self.store.query(&StoreQuery { doc_ids: analysis.doc_ids.clone(), ..query }).await?;
                for h in &mut hits {
                    if analysis.doc_ids.contains(&h.passage.doc_id) {
                        h.score *= self.config.scope_boost;
                    }
                }
                for mut h in scoped {
                    if !hits.iter().any(|x| x.passage.id == h.passage.id) {
                        h.score *= self.config.scope_boost;
                        hits.push(h);
                    }
                }
            }
            if let Some(scorer) = rescore
                && hits.len() > 1
            {
                let texts = self.character_texts(&analysis.content, q, &expansions);
                let (query, pairs) = (scorer.compiled(&scorer.query(&texts)), crate::characters::bigrams(&texts));
                let indexed: Vec<String> = hits.iter().map(|h| policyqa_index::ingest::index_text(&h.passage)).collect();
                let words: Vec<f32> = hits.iter().map(|h| h.score).collect();
                let chars: Vec<f32> = indexed.iter().map(|t| query.score(t)).collect();
                let phrases: Vec<f32> = indexed.iter().map(|t| crate::characters::bigram_overlap(&pairs, t)).collect();
                let fused = crate::characters::fuse(&[(&words, 1.0), (&chars, self.config.character_weight), (&phrases, self.config.bigram_weight)]);
                for (h, s) in hits.iter_mut().zip(fused) {
                    h.score = s;
                }
            }
            hits.sort_by(|a, b| b.score.total_cmp(&a.score));
            if let Some(scorer) = rescore.filter(|_| !rest.is_empty()) {
                let query = scorer.compiled(&scorer.query(&self.character_texts(&analysis.content, q, &expansions)));
                let mut scored: Vec<(f32, policyqa_core::StoreHit)> = rest.into_iter().map(|h| (query.score(&policyqa_index::ingest::index_text(&h.passage)), h)).collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                let floor = hits.last().map_or(0.0, |h| h.score) - 1.0;
                hits.extend(scored.into_iter().enumerate().map(|(i, (_, mut h))| {
                    h.score = floor - i as f32 * 1e-3;
                    h
                }));
            }
            for h in hits {
                if !ranked.iter().any(|(p, _)| p.id == h.passage.id) {
                    ranked.push((h.passage, h.score));
                }
            }
        }
        // A question in several parts ("东部有多少家？另外一共有多少家孵化器？"): each part's
        // best clause is among the first few, whatever the whole question ranks first.
        if analysis.clause_refs.is_empty() {
            let parts = question_parts(q);
            if parts.len() > 1 {
                let mut tops: Vec<(Passage, f32)> = Vec::new();
                for part in &parts {
                    let a = analyse(part, &self.catalog);
                    let expansions = if self.config.use_lexicon { self.lexicon.expand(&a.content) } else { Vec::new() };
                    let terms = self.terms(&a.content, &expansions);
                    if terms.is_empty() {
                        continue;
                    }
                    let named = match date {
                        Some(date) => self.catalog.in_force_versions(&a.doc_ids, date),
                        None => a.doc_ids.clone(),
                    };
                    let doc_ids = if !named.is_empty() { named } else { analysis.doc_ids.clone() };
                    let query = StoreQuery { sparse: Some(self.bm25.query(&terms)), doc_ids, within: within.clone(), exclude_doc_ids: excluded.clone(), limit: 1, ..Default::default() };
                    tops.extend(self.store.query(&query).await?.into_iter().map(|h| (h.passage, h.score)));
                }
                // The parts' best clauses join the first three when they are not there: the
                // whole question keeps its first clause.
                for (p, score) in tops {
                    match ranked.iter().position(|(r, _)| r.id == p.id) {
                        Some(at) if at < 3 => {}
                        Some(at) => {
                            let item = ranked.remove(at);
                            ranked.insert(2.min(ranked.len()), item);
                        }
                        None => ranked.insert(2.min(ranked.len()), (p, score)),
                    }
                }
            }
        }
        ranked.truncate(top_k);
        if let Some(lookup) = clause_lookup.as_mut() {
            lookup.hits = lookup.hits.min(ranked.len());
        }
        let passages = ranked
            .into_iter()
            .enumerate()
            .map(|(i, (mut passage, score))| {
                passage.doc_meta = self.catalog.meta_of(&passage.doc_id);
                Ranked { rank: i + 1, score, passage }
            })
            .collect();
        Ok(SearchResult {
            query: question.to_string(),
            passages,
            clause_lookup,
            analysis,
            expansions,
            millis: started.elapsed().as_secs_f64() * 1000.0,
            warnings,
        })
    }

    /// The question's content words with weights, for judging how well a text answers it
    /// (evidence strength, sentence choice). A word weighs by how rare it is in the corpus
    /// (one capped count per word) times how specific it is in general Chinese (filler such
    /// as 起来/机会/一年 says little whether or not the corpus has it). Overlapping search
    /// tokens (老师/师傅/老师傅) become one word with its pieces.
    pub async fn weigh_terms(&self, result: &SearchResult) -> Result<Vec<WeightedTerm>, SearchError> {
        let total = self.store.count().await? as f32;
        let mut tokens: Vec<String> = Vec::new();
        for (t, _) in self.terms(&result.analysis.content, &[]) {
            if !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        // Runs of single characters the dictionary does not know as a word (经/开/区) are one
        // word of the question (经开区).
        let content = &result.analysis.content;
        let mut merged: Vec<String> = Vec::new();
        let mut run = String::new();
        for t in tokens.iter() {
            if t.chars().count() == 1 && (run.is_empty() || content.contains(&format!("{run}{t}"))) {
                run.push_str(t);
                continue;
            }
            merged.push(std::mem::take(&mut run));
            if t.chars().count() == 1 {
                run.push_str(t);
            } else {
                merged.push(t.clone());
            }
        }
        merged.push(run);
        let mut tokens: Vec<String> = Vec::new();
        for t in merged {
            if !t.is_empty() && !tokens.contains(&t) {
                tokens.push(t);
            }
        }
        let segmenter = self.bm25.segmenter();
        let mut out = Vec::new();
        for word in tokens.iter().filter(|t| !tokens.iter().any(|o| o != *t && o.contains(t.as_str()))) {
            let df = self.store.count_matching(&self.bm25.query(&[(word.clone(), 1.0)]), DF_CAP).await?;
            let idf = ((total + 1.0) / (df as f32 + 0.5)).ln().max(0.1);
            let specificity = ((segmenter.general_idf(word) - 7.0) / 7.0).clamp(0.1, 1.0);
            let alternatives = result
                .expansions
                .iter()
                .filter(|(colloquial, _)| colloquial.contains(word.as_str()) || word.contains(colloquial.as_str()))
                .map(|(_, official)| official.clone())
                .collect();
            let parts = tokens.iter().filter(|t| *t != word && word.contains(t.as_str()) && t.chars().count() > 1).cloned().collect();
            out.push(WeightedTerm { term: word.clone(), df, weight: idf * specificity, alternatives, parts, specific: specificity >= 0.5 });
        }
        Ok(out)
    }

    /// What the character query is read from: the question's content, its asking sentence
    /// again at `focus_weight` when it is long, the lexicon's official terms at
    /// `expansion_weight`.
    fn character_texts(&self, content: &str, question: &str, expansions: &[(String, String)]) -> Vec<(String, f32)> {
        let mut texts = vec![(content.to_string(), 1.0)];
        if let Some(last) = self.asking_sentence(question) {
            texts.push((analyse(last, &self.catalog).content, self.config.focus_weight));
        }
        texts.extend(expansions.iter().map(|(_, official)| (official.clone(), self.config.expansion_weight)));
        texts
    }

    /// In a long question the asking sentence's words weigh `focus_weight` times the rest.
    fn focused(&self, mut terms: Vec<(String, f32)>, question: &str) -> Vec<(String, f32)> {
        let Some(last) = self.asking_sentence(question) else { return terms };
        let asked = self.bm25.segmenter().tokens(last);
        for (t, w) in &mut terms {
            if asked.contains(t) {
                *w *= self.config.focus_weight;
            }
        }
        terms
    }

    /// The last sentence of a long question of several sentences (the one that asks), when
    /// it is to weigh more.
    fn asking_sentence<'q>(&self, question: &'q str) -> Option<&'q str> {
        if self.config.focus_weight == 1.0 || question.chars().count() < LONG_QUESTION {
            return None;
        }
        let sentences: Vec<&str> = question.split(['。', '？', '?', '！', '!', '；', ';']).map(str::trim).filter(|s| s.chars().count() >= 2).collect();
        sentences.last().copied().filter(|_| sentences.len() > 1)
    }

    /// Weighted query terms: content words (stopwords out), then lexicon expansions.
    fn terms(&self, content: &str, expansions: &[(String, String)]) -> Vec<(String, f32)> {
        let mut terms: Vec<(String, f32)> = self
            .bm25
            .segmenter()
            .tokens(content)
            .into_iter()
            .filter(|t| !self.config.clean_query || !QUERY_STOPWORDS.contains(&t.as_str()))
            .map(|t| (t, 1.0))
            .collect();
        terms.extend(expansions.iter().map(|(_, t)| (t.clone(), self.config.expansion_weight)));
        terms
    }

    /// Passages by id, in the order asked (unknown ids skipped).
    pub async fn passages(&self, ids: &[String]) -> Result<Vec<Passage>, SearchError> {
        Ok(self.store.get(ids).await?)
    }

    /// "《…意见》（六）–（二十七）" for the numbered clauses each document has; `None` when
    /// they have none.
    /// Every clause of one document, in no particular order (the citation verifier reads a
    /// cited document's articles and their range from them).
    pub async fn clauses_of(&self, doc_id: &str) -> Result<Vec<Passage>, SearchError> {
        let hits = self.store.query(&StoreQuery { doc_ids: vec![doc_id.to_string()], limit: 100_000, ..Default::default() }).await?;
        Ok(hits.into_iter().map(|h| h.passage).filter(|p| p.kind == policyqa_core::PassageKind::Clause).collect())
    }

    async fn describe_clauses(&self, doc_ids: &[String]) -> Result<Option<String>, StoreError> {
        let hits = self.store.query(&StoreQuery { doc_ids: doc_ids.to_vec(), limit: 100_000, ..Default::default() }).await?;
        let mut per_doc: Vec<(String, Vec<(u32, String)>)> = Vec::new();
        for h in hits {
            let p = h.passage;
            let (Some(n), Some(label)) = (p.number, p.label.rsplit('》').next().map(str::to_string)) else { continue };
            if label.is_empty() {
                continue;
            }
            match per_doc.iter_mut().find(|(t, _)| *t == p.doc_title) {
                Some((_, v)) => v.push((n, label)),
                None => per_doc.push((p.doc_title.clone(), vec![(n, label)])),
            }
        }
        let parts: Vec<String> = per_doc
            .into_iter()
            .map(|(title, mut labels)| {
                labels.sort();
                labels.dedup();
                let range = match (labels.first(), labels.last()) {
                    (Some(a), Some(b)) if a.0 != b.0 => format!("{}–{}", a.1, b.1),
                    (Some(a), _) => a.1.clone(),
                    _ => String::new(),
                };
                format!("《{title}》{range}")
            })
            .collect();
        Ok((!parts.is_empty()).then(|| parts.join("；")))
    }
}

/// The questions inside a question: split at question marks and at 另外/此外, each part with
/// some content of its own.
pub fn question_parts(q: &str) -> Vec<String> {
    q.split(['？', '?'])
        .flat_map(|piece| piece.split("另外").flat_map(|s| s.split("此外")))
        .map(|sub| sub.trim_matches(|c: char| c.is_whitespace() || "，,。；;".contains(c)))
        .filter(|sub| sub.chars().filter(|c| c.is_alphanumeric()).count() >= 4)
        .map(str::to_string)
        .collect()
}
