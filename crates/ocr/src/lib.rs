//! OCR for PDF pages that are images: [`Tesseract`], run as a program (Debian's
//! `tesseract-ocr` with `tesseract-ocr-chi-sim`), one image at a time, its TSV output read
//! as lines of words with their boxes. Behind [`policyqa_core::Ocr`], so extraction never
//! knows which engine it has, and tests can script one.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use policyqa_core::{Ocr, OcrError, OcrLine, OcrWord};

/// The Tesseract program with the language data to read with ("chi_sim", "chi_sim+eng").
#[derive(Debug, Clone)]
pub struct Tesseract {
    pub program: PathBuf,
    pub languages: String,
    /// The longest one image may take; the process is killed past it.
    pub timeout: Duration,
}

impl Tesseract {
    pub fn new(program: impl Into<PathBuf>, languages: impl Into<String>) -> Self {
        Tesseract { program: program.into(), languages: languages.into(), timeout: Duration::from_secs(120) }
    }

    /// Whether the program runs and has every language asked for: checked once, when the
    /// configuration is read, so a missing package is an error at start-up, not a refusal
    /// per file.
    pub fn check(&self) -> Result<(), OcrError> {
        let out = Command::new(&self.program).arg("--list-langs").stdin(Stdio::null()).output().map_err(|e| {
            OcrError::Unavailable(format!("cannot run {} ({e}); install it: apt-get install tesseract-ocr tesseract-ocr-chi-sim", self.program.display()))
        })?;
        // Older versions print the list on stderr.
        let listed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let have: Vec<&str> = listed.lines().map(str::trim).collect();
        for lang in self.languages.split('+').map(str::trim).filter(|l| !l.is_empty()) {
            if !have.contains(&lang) {
                return Err(OcrError::Unavailable(format!(
                    "{} has no {lang} language data (install tesseract-ocr-{})",
                    self.program.display(),
                    lang.replace('_', "-")
                )));
            }
        }
        Ok(())
    }
}

impl Ocr for Tesseract {
    fn name(&self) -> String {
        format!("tesseract {}", self.languages)
    }

    fn read_image(&self, png: &[u8]) -> Result<Vec<OcrLine>, OcrError> {
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "-l", &self.languages, "--psm", "3", "-c", "preserve_interword_spaces=1", "tsv"])
            // One thread: OpenMP's threads cost more than they win on a page (1.4 s instead
            // of 6 s a page at 150 dpi on 2 cores, most of it in the kernel).
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| OcrError::Unavailable(format!("cannot run {} ({e})", self.program.display())))?;
        // Writing and reading on their own threads: neither pipe may fill while the other
        // waits.
        let mut stdin = child.stdin.take().expect("piped");
        let image = png.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&image));
        let mut stdout = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            stdout.read_to_end(&mut out).map(|_| out)
        });
        let mut stderr = child.stderr.take().expect("piped");
        let errors = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = stderr.read_to_end(&mut out);
            out
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(OcrError::Failed(format!("tesseract ran past {} s on a page image", self.timeout.as_secs())));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(OcrError::Failed(format!("waiting for tesseract: {e}"))),
            }
        };
        let _ = writer.join();
        let out = reader.join().map_err(|_| OcrError::Failed("reading tesseract's output".into()))?.map_err(|e| OcrError::Failed(e.to_string()))?;
        let errors = errors.join().unwrap_or_default();
        if !status.success() {
            let why = String::from_utf8_lossy(&errors);
            return Err(OcrError::Failed(format!("tesseract exited with {status}: {}", why.trim().lines().last().unwrap_or(""))));
        }
        Ok(parse_tsv(&String::from_utf8_lossy(&out)))
    }
}

/// Tesseract's TSV (level, page, block, paragraph, line, word, left, top, width, height,
/// confidence, text) as lines of words; empty words and lines left out.
pub fn parse_tsv(tsv: &str) -> Vec<OcrLine> {
    let mut lines: Vec<OcrLine> = Vec::new();
    let mut current: Option<(u32, u32, u32, u32)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().unwrap_or(0);
        let text = cols[11..].join("\t");
        if text.trim().is_empty() {
            continue;
        }
        let key = (num(1), num(2), num(3), num(4));
        if current != Some(key) {
            lines.push(OcrLine::default());
            current = Some(key);
        }
        let word = OcrWord { text: text.trim().to_string(), left: num(6), top: num(7), width: num(8), height: num(9) };
        lines.last_mut().expect("pushed").words.push(word);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_rows_become_lines_of_words() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t648\t206\t375\t26\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t648\t206\t42\t26\t96.0\t全\n\
                   5\t1\t1\t1\t1\t2\t705\t206\t26\t26\t93.2\t国人\n\
                   5\t1\t2\t1\t1\t1\t221\t241\t1228\t8\t95.0\t \n\
                   5\t1\t3\t1\t1\t1\t225\t337\t96\t57\t96.1\t第一条\n";
        let lines = parse_tsv(tsv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["全", "国人"]);
        assert_eq!(lines[1].words[0], OcrWord { text: "第一条".into(), left: 225, top: 337, width: 96, height: 57 });
    }

    /// A stand-in for the program: a shell script in a fresh folder.
    fn script(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("policyqa-ocr-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tesseract");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::process::Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        path
    }

    #[test]
    fn an_engine_that_hangs_is_killed_and_one_that_fails_is_named() {
        let mut slow = Tesseract::new(script("slow", "cat > /dev/null; sleep 30"), "chi_sim");
        slow.timeout = Duration::from_millis(300);
        let started = Instant::now();
        let err = slow.read_image(b"\x89PNG").unwrap_err();
        assert!(matches!(err, OcrError::Failed(_)) && err.to_string().contains("ran past"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10), "killed, not waited for");
        let failing = Tesseract::new(script("failing", "cat > /dev/null; echo 'Error in pixReadMem: Unknown format' >&2; exit 1"), "chi_sim");
        let err = failing.read_image(b"not an image").unwrap_err();
        assert!(matches!(err, OcrError::Failed(_)) && err.to_string().contains("Unknown format"), "{err}");
        // Installed without the language: unavailable, naming the package.
        let no_chinese = Tesseract::new(script("nolang", "echo 'List of available languages (1):'; echo eng"), "chi_sim");
        let err = no_chinese.check().unwrap_err();
        assert!(err.to_string().contains("tesseract-ocr-chi-sim"), "{err}");
    }

    #[test]
    fn a_missing_program_is_unavailable_with_what_to_install() {
        let err = Tesseract::new("/nonexistent/tesseract", "chi_sim").check().unwrap_err();
        assert!(matches!(err, OcrError::Unavailable(_)) && err.to_string().contains("apt-get install tesseract-ocr"), "{err}");
    }
}
