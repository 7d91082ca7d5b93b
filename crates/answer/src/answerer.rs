//! The answer pipeline: resolve a follow-up against the history, retrieve, weigh the
//! evidence (refuse when it is too weak or the named clause is not there), answer with the
//! chat model when one is configured (extractively otherwise, and when the model fails), and
//! check every citation before anything ships. Streamed callers get events as sentences pass
//! the checks; the final [`Answer`] is authoritative.

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use policyqa_core::{ChatError, ChatMessage, ChatModel, ChatRequest, ChatRole, Passage};
use policyqa_retrieval::{Ranked, Retriever, SearchError, WeightedTerm};
use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::citations::{Citation, CitationChecker, SentenceFlag};
use crate::evidence::{figure_supported, place_not_covered, place_not_named, strength, DEFAULT_MIN_EVIDENCE};
use crate::extractive::{compose, Intent};
use crate::prompt::{PromptError, Prompts, Turn, REFUSAL};
use crate::{followup, text};

/// Earlier turns beyond these are not sent anywhere.
pub const MAX_HISTORY_TURNS: usize = 12;
pub const MAX_HISTORY_CHARS: usize = 6000;

#[derive(Debug, Clone)]
pub struct AnswerConfig {
    /// Clauses retrieved and given to the answerer (the `passages` of the answer).
    pub top_k: usize,
    /// Evidence strength below which the answer is the refusal.
    pub min_evidence: f32,
    /// Share of a chat model's claims (by characters) that must pass the citation checks for
    /// its answer to be used; below it the answer is the extractive one.
    pub min_supported_share: f32,
}

impl Default for AnswerConfig {
    fn default() -> Self {
        AnswerConfig { top_k: 5, min_evidence: DEFAULT_MIN_EVIDENCE, min_supported_share: DEFAULT_MIN_SUPPORTED_SHARE }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AskRequest {
    pub question: String,
    pub history: Vec<Turn>,
    pub top_k: Option<usize>,
    /// Put the chat model's text as it came (before any check) on the answer.
    pub debug: bool,
    /// The documents to answer from, and the date statuses are read on.
    pub filter: policyqa_core::DocumentFilter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Llm,
    Extractive,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub total_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    /// The question as retrieval saw it, when the history changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_question: Option<String>,
    pub answer: String,
    pub refused: bool,
    pub mode: Mode,
    /// The clauses the answer cites, by marker.
    pub citations: Vec<Citation>,
    /// The clauses consulted (retrieved), cited or not.
    pub passages: Vec<Ranked>,
    /// Sentences of a model's answer that failed a check, with the reason: left out of the
    /// answer (and never streamed).
    pub flags: Vec<SentenceFlag>,
    /// How many sentences were left out.
    pub dropped_sentences: usize,
    /// Why a configured chat model's answer was not used (the answer is then extractive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// Of a chat model's answer that was used, or left out as unsupported: the share of its
    /// claims' characters that passed the citation checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_share: Option<f32>,
    /// The chat model's text as it came, with `AskRequest::debug` only (as far as it was read:
    /// an echo is cut short).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_answer_raw: Option<String>,
    pub warnings: Vec<String>,
    /// Evidence strength in [0, 1] (1 for a clause asked for by its number).
    pub evidence: f32,
    /// The question's content words and their weights, as the evidence was read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_terms: Vec<WeightedTerm>,
    pub timings: Timings,
}

/// What a streamed answer sends, in this order: the passages, then sentences and the
/// citations they confirm.
#[derive(Debug, Clone)]
pub enum AnswerEvent {
    Retrieval(Vec<Ranked>),
    Delta(String),
    Citation(Box<Citation>),
}

/// Why the chat model's text was not used (the answer, or the follow-up's rewrite, then comes
/// from the rules: extractive, or resolved without the model).
#[derive(Debug, thiserror::Error)]
pub enum GenerationError {
    #[error("the chat model failed: {0}")]
    Chat(#[from] ChatError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
    /// With the model's sentences that were left out.
    #[error("the chat model's answer cites no retrieved clause")]
    Uncited(Vec<SentenceFlag>),
    #[error("the chat model's answer reproduces the prompt ({0})")]
    EchoedPrompt(String),
    #[error("the clauses the chat model's answer cites bear out only {:.0}% of it", .share * 100.0)]
    Unsupported { share: f32, dropped: Vec<SentenceFlag> },
}

/// Why a model's answer fell back to the extractive one, as counted in the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The model failed: unavailable, timed out, refused the request, malformed stream.
    ModelFailed,
    EchoedPrompt,
    Uncited,
    Unsupported,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::ModelFailed => "model_failed",
            Fallback::EchoedPrompt => "echoed_prompt",
            Fallback::Uncited => "uncited",
            Fallback::Unsupported => "unsupported",
        }
    }
}

impl GenerationError {
    pub fn fallback(&self) -> Fallback {
        match self {
            GenerationError::Chat(_) | GenerationError::Prompt(_) => Fallback::ModelFailed,
            GenerationError::Uncited(_) => Fallback::Uncited,
            GenerationError::EchoedPrompt(_) => Fallback::EchoedPrompt,
            GenerationError::Unsupported { .. } => Fallback::Unsupported,
        }
    }
}

/// Below this share of its claims' characters borne out by their clauses, a model's answer is
/// not used: what passed is too little of what it said. Set by that rule (more than half of
/// what it claimed must hold), not calibrated: the one model available offline (Gemma 3 270M)
/// echoes the prompt or writes no markers at all, so it gives no mixed answers to calibrate on.
/// `POLICYQA_MIN_SUPPORTED_SHARE` and `policyqa eval --knob min_supported_share=…` tune it.
pub const DEFAULT_MIN_SUPPORTED_SHARE: f32 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
}

pub struct Answerer {
    retriever: Arc<Retriever>,
    chat: Option<Arc<dyn ChatModel>>,
    prompts: Prompts,
    config: AnswerConfig,
}

type Events<'a> = Option<&'a UnboundedSender<AnswerEvent>>;

fn send(events: Events, e: AnswerEvent) {
    if let Some(tx) = events {
        // A caller that went away does not stop the answer (it is still logged and counted).
        let _ = tx.send(e);
    }
}

impl Answerer {
    pub fn new(retriever: Arc<Retriever>, chat: Option<Arc<dyn ChatModel>>, prompts: Prompts, config: AnswerConfig) -> Self {
        Answerer { retriever, chat, prompts, config }
    }

    pub fn retriever(&self) -> &Arc<Retriever> {
        &self.retriever
    }

    pub fn chat(&self) -> Option<&Arc<dyn ChatModel>> {
        self.chat.as_ref()
    }

    pub async fn ask(&self, request: &AskRequest, events: Events<'_>) -> Result<Answer, AskError> {
        let date = request.filter.as_of.or_else(|| policyqa_validity::date_in_china(std::time::SystemTime::now()));
        let repealed = date.and_then(|d| crate::repealed::repealed_mention(request.question.trim(), self.retriever.catalog(), d));
        let mut answer = match repealed {
            Some(mention) => self.answer_from_successor(request, mention, events).await?,
            None => self.answer(request, events).await?,
        };
        if let Some(date) = date {
            answer.warnings.extend(not_in_force(&answer.citations, &self.retriever.catalog().validity, date));
        }
        Ok(answer)
    }

    /// A question about a repealed document: the repealing clause says so (cited, checked as
    /// any sentence); where the index holds the repealed document and the question asks for
    /// one of its clauses, that clause follows as it stood (cited) and the successor is
    /// searched with its words; otherwise the successor answers the question put to it (its
    /// article numbers are not the old one's, so a clause number asked of the old document is
    /// not asked of it). Streamed in one piece once all are known.
    async fn answer_from_successor(&self, request: &AskRequest, mention: crate::repealed::RepealedMention<'_>, events: Events<'_>) -> Result<Answer, AskError> {
        let repeal = mention.repeal;
        let Some(clause) = self.retriever.passages(std::slice::from_ref(&repeal.evidence.passage_id)).await?.into_iter().next() else {
            return self.answer(request, events).await;
        };
        // The old clause, read from the repealed document whatever its status.
        let old = match &mention.indexed_clause {
            Some(c) => {
                let mut filter = request.filter.clone();
                filter.doc_ids = vec![c.doc_id.clone()];
                filter.status = policyqa_core::validity::Status::ALL.to_vec();
                let old = self.answer(&AskRequest { filter, ..request.clone() }, None).await?;
                (!old.refused && !old.citations.is_empty()).then_some((c.reference.clone(), old))
            }
            None => None,
        };
        // An old clause's paragraphs often went to several clauses of the successor (环境保护法
        // 第六条's four to the 生态环境法典's 第七条 to 第十条): each is put to it on its own.
        let mut successor_questions: Vec<String> = match &old {
            Some((_, old)) => {
                let words = crate::repealed::clause_words(&old.citations.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("\n"));
                let mut paragraphs: Vec<String> = words.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
                if paragraphs.len() > MAX_SUCCESSOR_QUESTIONS {
                    let rest = paragraphs.split_off(MAX_SUCCESSOR_QUESTIONS - 1).join("\n");
                    paragraphs.push(rest);
                }
                paragraphs
            }
            None => Vec::new(),
        };
        if successor_questions.is_empty() {
            successor_questions.push(mention.redirected.clone());
        }
        let mut filter = request.filter.clone();
        if filter.doc_ids.is_empty() || old.is_some() {
            filter.doc_ids = vec![repeal.by_doc_id.clone()];
            filter.status.clear();
        }
        let mut successors: Vec<Answer> = Vec::new();
        for q in &successor_questions {
            let a = self.answer(&AskRequest { question: q.clone(), history: Vec::new(), filter: filter.clone(), ..request.clone() }, None).await?;
            // A paragraph whose clause an earlier one found adds nothing.
            let new_clause = a.citations.iter().any(|c| !successors.iter().any(|s| s.citations.iter().any(|d| d.id == c.id)));
            if !a.refused && new_clause || successors.is_empty() {
                successors.push(a);
            }
        }
        let refused = successors.iter().all(|a| a.refused);
        let Some(successor) = successors.first().cloned() else {
            return self.answer(request, events).await;
        };
        let successor_question = successor_questions.join("\n");
        let quote = repeal.evidence.quote.trim().trim_end_matches('。');
        let passages = [clause.clone()];
        let mut checker = CitationChecker::new(&passages);
        checker.push(&format!("《{}》已被废止：{quote}[1]。", mention.name));
        checker.finish();
        let Some(repeal_citation) = checker.citations.first().cloned() else {
            return self.answer(request, events).await;
        };
        let since = repeal.since.map(|d| format!(" on {d}")).unwrap_or_default();
        let mut answer = successor.clone();
        answer.question = request.question.clone();
        answer.resolved_question = Some(successor_question);
        answer.warnings = successor.warnings.clone();
        let shift = |a: &Answer, by: usize| -> Vec<Citation> {
            a.citations.iter().cloned().map(|mut c| {
                c.marker += by;
                c
            }).collect()
        };
        let mut text = checker.text.trim().to_string();
        let mut citations = vec![repeal_citation];
        let mut ranked = vec![Ranked { rank: 1, score: policyqa_retrieval::retriever::ADDRESS_SCORE, passage: clause }];
        match &old {
            Some((reference, old)) => {
                answer.warnings.insert(0, format!("《{}》 was repealed{since} by {}: its {reference} is quoted as it stood, and 《{}》 searched with its words", mention.name, repeal.evidence.label, repeal.by_title));
                text.push_str(&format!("废止前，其{reference}规定：{}", shift_markers(&old.answer, citations.len())));
                citations.extend(shift(old, citations.len()));
                ranked.extend(old.passages.iter().filter(|r| old.citations.iter().any(|c| c.id == r.passage.id)).cloned());
            }
            None if mention.indexed_clause.is_none() && self.retriever.catalog().document_named(&mention.name).is_none() => {
                answer.warnings.insert(0, format!("《{}》 is not indexed: {} repealed it{since}; answered from 《{}》", mention.name, repeal.evidence.label, repeal.by_title));
            }
            None => answer.warnings.insert(0, format!("《{}》 was repealed{since} by {}; answered from 《{}》", mention.name, repeal.evidence.label, repeal.by_title)),
        }
        if refused {
            answer.warnings.push(format!("no clause of 《{}》 was found that answers the question", repeal.by_title));
        } else {
            if old.is_some() {
                text.push_str(&format!("现行《{}》的相应规定：", repeal.by_title));
            }
            for a in successors.iter().filter(|a| !a.refused) {
                text.push_str(&shift_markers(&a.answer, citations.len()));
                citations.extend(shift(a, citations.len()));
                ranked.extend(a.passages.iter().filter(|r| !ranked.iter().any(|k| k.passage.id == r.passage.id)).cloned().collect::<Vec<_>>());
            }
        }
        for (i, r) in ranked.iter_mut().enumerate() {
            r.rank = i + 1;
        }
        answer.answer = text;
        answer.refused = false;
        answer.citations = citations;
        answer.passages = ranked;
        if answer.evidence <= 0.0 || refused {
            answer.evidence = 1.0;
        }
        send(events, AnswerEvent::Retrieval(answer.passages.clone()));
        send(events, AnswerEvent::Delta(answer.answer.clone()));
        for c in &answer.citations {
            send(events, AnswerEvent::Citation(Box::new(c.clone())));
        }
        Ok(answer)
    }

    async fn answer(&self, request: &AskRequest, events: Events<'_>) -> Result<Answer, AskError> {
        let started = Instant::now();
        let mut warnings = Vec::new();
        let history = trim_history(&request.history);
        let question = request.question.trim();
        if question.is_empty() {
            return Err(SearchError::Empty.into());
        }

        // 1. A follow-up becomes a self-contained question.
        let resolved = if history.is_empty() {
            None
        } else {
            self.resolve_followup(question, &history, &mut warnings).await
        };
        let query = resolved.as_deref().unwrap_or(question);

        // 2. Retrieval.
        let top_k = request.top_k.unwrap_or(self.config.top_k);
        let result = self.retriever.search_filtered(query, top_k, &request.filter).await?;
        warnings.extend(result.warnings.iter().cloned());
        send(events, AnswerEvent::Retrieval(result.passages.clone()));
        let retrieval_ms = started.elapsed().as_secs_f64() * 1000.0;
        let passages: Vec<Passage> = result.passages.iter().map(|r| r.passage.clone()).collect();
        let mode = if self.chat.is_some() { Mode::Llm } else { Mode::Extractive };
        let base = Answer {
            question: request.question.clone(),
            resolved_question: resolved.clone(),
            answer: String::new(),
            refused: false,
            mode,
            citations: vec![],
            passages: result.passages.clone(),
            flags: vec![],
            dropped_sentences: 0,
            fallback: None,
            supported_share: None,
            model_answer_raw: None,
            warnings: vec![],
            evidence: 0.0,
            evidence_terms: vec![],
            timings: Timings { retrieval_ms, ..Default::default() },
        };

        // 3. Evidence: a named clause that is missing, or too little of the question found.
        if let Some(lookup) = result.clause_lookup.as_ref().filter(|l| !l.found) {
            let mut text = REFUSAL.to_string();
            if let Some(available) = &lookup.available {
                text.push_str(&format!("已收录的条款为：{available}。"));
            }
            return Ok(self.refusal(base, text, warnings, 0.0, started, events));
        }
        let terms = self.retriever.weigh_terms(&result).await?;
        let looked_up = result.clause_lookup.as_ref().map_or(0, |l| l.hits);
        let content_weight: f32 = terms.iter().map(|t| t.weight).sum();
        let intent = Intent::of(query, looked_up > 0, content_weight);
        let mut evidence = if looked_up > 0 { 1.0 } else { strength(&terms, &passages) };
        if intent.figure && looked_up == 0 && !figure_supported(&terms, &passages, intent.figure_kind) {
            // Asked for a figure, and no clause puts one next to what was asked about.
            evidence = evidence.min(self.config.min_evidence * 0.5);
            warnings.push("the question asks for a figure and no retrieved clause gives one for it".into());
        }
        if looked_up == 0
            && let Some(place) = place_not_covered(query, &passages)
        {
            // Asked about a region's own rules; no clause found names it.
            evidence = evidence.min(self.config.min_evidence * 0.5);
            warnings.push(format!("the question asks about {place}, which no retrieved clause names"));
        }
        let mut base = Answer { evidence_terms: terms.clone(), ..base };
        // The best match is a notice's list of attachments: the question is about an
        // attachment whose text the index does not hold ("附件里各部门怎么分工"). Any clause
        // the answer could quote instead would answer something else.
        if looked_up == 0
            && let Some(list) = passages.first().filter(|p| is_attachment_list(p))
        {
            let text = format!("{REFUSAL}问题所问的附件（{}）正文未收录。", list.text.trim());
            warnings.push(format!("the best match is the attachment list of {}, whose attachments are not indexed", list.label));
            return Ok(self.refusal(base, text, warnings, evidence, started, events));
        }
        if evidence < self.config.min_evidence {
            return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events));
        }

        // 4. The answer: the model's when it gives a usable one, extractive otherwise.
        let generation = Instant::now();
        if let Some(chat) = &self.chat {
                let mut raw = String::new();
            let generated = self.generate(chat.as_ref(), query, &history, &passages, events, &mut raw).await;
            if request.debug {
                base.model_answer_raw = Some(raw);
            }
            match generated {
                Ok(Generated::Answer(checker)) => {
                    base.supported_share = Some(checker.supported_share());
                    return Ok(finish(base, *checker, warnings, evidence, started, generation));
                }
                Ok(Generated::Refused) => return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events)),
                Err(reason) => {
                    warnings.push(format!("{reason}; the answer is extractive instead"));
                    base.fallback = Some(reason.fallback());
                    // What the model wrote and why it was left out stays on record.
                    if let GenerationError::Unsupported { share, .. } = &reason {
                        base.supported_share = Some(*share);
                    }
                    if let GenerationError::Uncited(dropped) | GenerationError::Unsupported { dropped, .. } = reason {
                        base.dropped_sentences = dropped.len();
                        base.flags = dropped;
                    }
                }
            }
        }
        let Some(draft) = compose(query, &terms, &passages, intent, looked_up, &result.analysis.doc_ids) else {
            return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events));
        };
        // Asked for a figure of a kind (多少钱, 几天, 几成) the answer's sentences do not give
        // (nor one of its family: a share for an amount, months for years): they answer
        // something else. Kept on the tuning halves with the figure check's families: refusals
        // as before, false refusals policies 0.050 → 0.037, laws 0.061 → 0.071.
        if looked_up == 0
            && let Some(kind) = intent.figure_kind
            && !crate::text::answers_figure(&crate::text::norm(&draft), kind)
        {
            warnings.push("the question asks for a figure and the answer's sentences give none of that kind".into());
            return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events));
        }
        // Asked for a telephone number, an address or a web address the answer does not hold.
        if looked_up == 0
            && let Some(shape) = crate::text::asked_shape(&crate::text::norm(query))
            && !crate::text::has_shape(&crate::text::norm(&draft), shape)
        {
            warnings.push(format!("the question asks for {} and the answer's sentences give none", shape.name()));
            return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events));
        }
        let cited: Vec<&Passage> = crate::citations::marker_numbers(&draft).into_iter().filter_map(|n| passages.get(n.wrapping_sub(1))).collect();
        if looked_up == 0
            && let Some(place) = place_not_named(query, cited.iter().copied())
        {
            warnings.push(format!("the question asks about {place}, which the clauses the answer would cite do not name"));
            return Ok(self.refusal(base, REFUSAL.to_string(), warnings, evidence, started, events));
        }
        let mut checker = CitationChecker::new(&passages);
        for sentence in checker.push(&draft).into_iter().chain(checker.finish()) {
            send(events, AnswerEvent::Delta(sentence.text));
            for c in sentence.new_citations {
                send(events, AnswerEvent::Citation(Box::new(c)));
            }
        }
        let mut answer = finish(base, checker, warnings, evidence, started, generation);
        answer.mode = Mode::Extractive;
        Ok(answer)
    }

    fn refusal(&self, mut base: Answer, text: String, warnings: Vec<String>, evidence: f32, started: Instant, events: Events) -> Answer {
        send(events, AnswerEvent::Delta(text.clone()));
        base.answer = text;
        base.refused = true;
        base.warnings = warnings;
        base.evidence = evidence;
        base.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        base
    }

    /// The model rewrites the follow-up; the rules do when there is no model or it fails.
    async fn resolve_followup(&self, question: &str, history: &[Turn], warnings: &mut Vec<String>) -> Option<String> {
        let by_rules = || followup::resolve(question, history, self.retriever.catalog());
        let Some(chat) = &self.chat else { return by_rules() };
        let rewritten = async {
            let prompt = self.prompts.render_followup(question, history)?;
            let request = ChatRequest {
                messages: vec![ChatMessage { role: ChatRole::System, content: prompt.system }, ChatMessage { role: ChatRole::User, content: prompt.user }],
                max_tokens: Some(120),
                temperature: Some(0.0),
            };
        let mut stream = chat.stream(&request).await?;
            let mut out = String::new();
            while let Some(piece) = stream.next().await {
                out.push_str(&piece?);
            }
            Ok::<String, GenerationError>(out)
        }
        .await;
        match rewritten.map(|s| clean_rewrite(&s)) {
            Ok(Some(q)) if q != question => Some(q),
            Ok(Some(_)) => None,
            Ok(None) => {
                warnings.push("the chat model's rewrite of the follow-up was unusable; resolved by rules".into());
                by_rules()
            }
            Err(e) => {
                let why = match e {
                    GenerationError::Chat(c) => c.to_string(),
                    other => other.to_string(),
                };
                warnings.push(format!("the chat model could not rewrite the follow-up ({why}); resolved by rules"));
                by_rules()
            }
        }
    }

    /// The model's answer, checked sentence by sentence as it streams; `raw` gets its text as it came.
    async fn generate<'p>(&self, chat: &dyn ChatModel, question: &str, history: &[Turn], passages: &'p [Passage], events: Events<'_>, raw: &mut String) -> Result<Generated<'p>, GenerationError> {
        let prompt = self.prompts.render(question, history, passages)?;
        let request = ChatRequest {
            messages: vec![ChatMessage { role: ChatRole::System, content: prompt.system.clone() }, ChatMessage { role: ChatRole::User, content: prompt.user.clone() }],
            max_tokens: None,
            temperature: None,
        };
        let echo = PromptEcho::new(&prompt, passages);
        let mut stream = chat.stream(&request).await?;
        // Held back until the stream is known to be an answer and not the refusal.
        let mut pending: Vec<AnswerEvent> = Vec::new();
        let mut checker = CitationChecker::new(passages);
        let mut streaming = false;
        let emit = |checked: Vec<crate::citations::Checked>, pending: &mut Vec<AnswerEvent>, streaming: bool| {
            for s in checked {
                pending.push(AnswerEvent::Delta(s.text));
                pending.extend(s.new_citations.into_iter().map(|c| AnswerEvent::Citation(Box::new(c))));
            }
            if streaming {
                for e in pending.drain(..) {
                    send(events, e);
                }
            }
        };
        while let Some(piece) = stream.next().await {
            let piece = piece?;
            raw.push_str(&piece);
            // Checked before the piece's sentences can pass: an echo is stopped at once.
            if let Some(what) = echo.found(raw) {
                return Err(GenerationError::EchoedPrompt(what));
            }
            let checked = checker.push(&piece);
            // The refusal sentence is short: once the text is clearly something else, stream.
            if !streaming && !looks_like_refusal_prefix(raw) {
                streaming = true;
            }
            emit(checked, &mut pending, streaming);
        }
        let rest: Vec<_> = checker.finish().into_iter().collect();
        if is_refusal(raw) && checker.citations.is_empty() {
            return Ok(Generated::Refused);
        }
        let share = checker.supported_share();
        // Nothing cited at all is "uncited"; claims that cite and are not borne out, "unsupported".
        let only_uncited = checker.dropped_sentences == checker.uncited_sentences;
        if checker.citations.is_empty() && only_uncited {
            return Err(GenerationError::Uncited(checker.flags));
        }
        if share < self.config.min_supported_share || checker.citations.is_empty() {
            return Err(GenerationError::Unsupported { share, dropped: checker.flags });
        }
        emit(rest, &mut pending, true);
        Ok(Generated::Answer(Box::new(checker)))
    }
}

enum Generated<'a> {
    Answer(Box<CitationChecker<'a>>),
    Refused,
}

/// A warning for each cited document that its own clauses, or another indexed document's,
/// say is not in force on `date` (repealed, replaced by a later version, not yet in force).
fn not_in_force(citations: &[Citation], graph: &policyqa_validity::Graph, date: policyqa_validity::Date) -> Vec<String> {
    // A citation names its document by title (the label's 《》).
    let mut cited: Vec<&str> = Vec::new();
    for c in citations {
        if let Some(d) = graph.documents().iter().find(|d| d.title == c.doc_title)
            && !cited.contains(&d.doc_id.as_str())
        {
            cited.push(&d.doc_id);
        }
    }
    cited
        .into_iter()
        .filter_map(|id| {
            let s = graph.standing(id, date)?;
            let title = &graph.document(id)?.title;
            let since = s.since.map(|d| format!("自{d}")).unwrap_or_default();
            let by = s.successor_title.as_ref().map(|t| format!("，见《{t}》")).unwrap_or_default();
            match s.status {
                policyqa_validity::Status::InForce | policyqa_validity::Status::Unknown => None,
                other => Some(format!("《{title}》{since}{}{by}（{}）: the answer cites a document not in force on {date}", other.chinese(), s.evidence.first().map_or(String::new(), |e| e.label.clone()))),
            }
        })
        .collect()
}

fn finish(mut base: Answer, checker: CitationChecker, mut warnings: Vec<String>, evidence: f32, started: Instant, generation: Instant) -> Answer {
    warnings.extend(checker.warnings.iter().cloned());
    if checker.dropped_sentences > 0 {
        warnings.push(format!("{} sentence(s) of the answer left out: their citations do not bear them out (see flags)", checker.dropped_sentences));
    }
    // Added to the model's sentences left out before a fallback, if any.
    base.dropped_sentences += checker.dropped_sentences;
    base.answer = checker.text.trim().to_string();
    base.refused = false;
    base.citations = checker.citations;
    base.flags.extend(checker.flags);
    base.warnings = warnings;
    base.evidence = evidence;
    base.timings.generation_ms = generation.elapsed().as_secs_f64() * 1000.0;
    base.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    base
}

/// An answer's markers renumbered by `by` ("[1]" → "[2]"), for putting it after another.
/// At most this many searches of a successor for one old clause (its paragraphs; the rest
/// go in the last).
const MAX_SUCCESSOR_QUESTIONS: usize = 6;

fn shift_markers(text: &str, by: usize) -> String {
    static MARKER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| regex::Regex::new(r"\[(\d+)\]").expect("valid"));
    MARKER.replace_all(text, |c: &regex::Captures| format!("[{}]", c[1].parse::<usize>().map_or(0, |n| n + by))).into_owned()
}

fn trim_history(history: &[Turn]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    let mut chars = 0;
    for t in history.iter().rev().take(MAX_HISTORY_TURNS) {
        chars += t.content.chars().count();
        if chars > MAX_HISTORY_CHARS {
            break;
        }
        out.push(t.clone());
    }
    out.reverse();
    out
}

/// Ways a model says the clauses do not answer ("无法回答", "条文中没有提到").
static REFUSAL_WORDS: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"没有找到相关规定|无法回答|不能回答|无法确定|没有(?:提到|提及|涉及|规定|相关)|未(?:提及|涉及|规定|提到)").expect("valid"));

/// The model's refusal, however it dressed it: our sentence, or (in a short answer) another
/// way of saying the clauses do not answer.
fn is_refusal(raw: &str) -> bool {
    let n = text::norm(raw);
    n.contains(&text::norm(REFUSAL)) || (n.chars().count() <= 60 && REFUSAL_WORDS.is_match(&n))
}

fn looks_like_refusal_prefix(raw: &str) -> bool {
    let n = text::norm(raw);
    let r = text::norm(REFUSAL);
    n.len() < r.len() && r.starts_with(&n) || n.starts_with(&r)
}

/// The first line of the model's rewrite, without a "问题：" label or quotes; `None` when
/// it is not a plausible question.
fn clean_rewrite(s: &str) -> Option<String> {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches("改写后的问题：").trim_start_matches("问题：").trim_matches(['“', '”', '"', '「', '」']).trim();
    let n = line.chars().count();
    ((2..=300).contains(&n) && !is_refusal(line)).then(|| line.to_string())
}

/// The server runs answers on a multi-threaded runtime: the future must be `Send`.
#[allow(dead_code)]
fn _ask_is_send(a: &Answerer, r: &AskRequest) {
    fn is_send<T: Send>(_: T) {}
    is_send(a.ask(r, None));
}

/// A notice's list of attachments (the chunker's passage under the heading 附件 that is
/// nothing but the "附件：…" line and the titles after it).
fn is_attachment_list(p: &Passage) -> bool {
    p.kind == policyqa_core::PassageKind::Paragraph
        && p.address.last().is_some_and(|h| h == "附件")
        && policyqa_chunker::lines::is_attachment_line(&crate::text::norm(p.text.trim()))
}

/// What of the rendered prompt an answer must not reproduce: the clause delimiters, and each
/// line of the rules and of the request (the question line "问题：…", the clause list's
/// header, the instructions) but the clauses' own text, which an answer quotes, and their
/// label lines ("[1] 《…》（十）"), which an answer may name.
struct PromptEcho {
    lines: Vec<String>,
    /// The request's field labels ("问题：", "此前的对话：", "用户："): a line of the answer
    /// that opens with one is the request written out again, whatever follows it.
    labels: Vec<String>,
}

/// A label is this short: "问题", "此前的对话".
const ECHO_LABEL_CHARS: usize = 6;

/// A delimiter of the clause blocks, or its neutralised form (see `prompt::neutralise`).
static DELIMITER: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"(?:<<<|‹‹‹)条文\d*(?:开始|结束)?|条文\d+(?:开始|结束)(?:>>>|›››)").expect("valid"));

/// A line of the prompt shorter than this (normalised) is no evidence of an echo.
const ECHO_LINE_CHARS: usize = 8;

impl PromptEcho {
    fn new(prompt: &crate::prompt::RenderedPrompt, passages: &[Passage]) -> Self {
        let clauses: Vec<String> = passages.iter().map(|p| text::norm(&p.text)).collect();
        let labels: Vec<String> = passages.iter().map(|p| text::norm(&p.label)).collect();
        let mut lines: Vec<String> = Vec::new();
        for line in prompt.system.lines().chain(prompt.user.lines()) {
            let l = text::norm(line);
            if l.chars().count() < ECHO_LINE_CHARS || DELIMITER.is_match(&l) || clauses.iter().any(|c| c.contains(&l)) || labels.iter().any(|x| l.ends_with(x.as_str())) {
                continue;
            }
            if !lines.contains(&l) {
                lines.push(l);
            }
        }
        let mut labels: Vec<String> = Vec::new();
        for line in prompt.user.lines() {
            let l = text::norm(line);
            // norm folds "：" to ":".
            if let Some(i) = l.find(':')
                && (1..=ECHO_LABEL_CHARS).contains(&l[..i].chars().count())
                && !l[..i].contains(['[', '《'])
            {
                let label = l[..=i].to_string();
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
        }
        PromptEcho { lines, labels }
    }

    /// What of the prompt the text reproduces, if anything.
    fn found(&self, raw: &str) -> Option<String> {
        if let Some(m) = DELIMITER.find(raw) {
            return Some(format!("the clause delimiter {}", m.as_str()));
        }
        if let Some(label) = raw.lines().map(text::norm).find_map(|l| self.labels.iter().find(|x| l.starts_with(x.as_str()))) {
            return Some(format!("the request's label \"{label}\""));
        }
        let n = text::norm(raw);
        self.lines.iter().find(|l| n.contains(l.as_str())).map(|l| format!("the prompt's line \"{}\"", l.chars().take(40).collect::<String>()))
    }
}
