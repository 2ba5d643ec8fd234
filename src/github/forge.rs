//! The narrow, domain-level interface the bot needs from the code host: who the bot
//! is, the issues and comments it wrote, opening/updating/closing/reopening, the
//! lines a pull request changes, review comments, and for `fix --github` the fixes
//! pull requests, their branch (and who committed on it) and files. One
//! implementation: [`Api`] (octocrab), tested against a local server.

use super::api::{Api, ApiError, Comment, Issue};
use super::diff;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a pull request changes in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// The new-file lines it adds or changes.
    Lines(BTreeSet<usize>),
    /// GitHub sent no diff (too large to show): the whole file counts as changed.
    Whole,
}

impl Changed {
    /// Whether `line` counts as changed.
    pub fn contains(&self, line: usize) -> bool {
        match self {
            Changed::Lines(lines) => lines.contains(&line),
            Changed::Whole => true,
        }
    }
}

/// What the GitHub bot does on the code host.
pub trait Forge {
    /// The login the token acts as (`fallback` when the token cannot say).
    fn identity(&self, fallback: &str) -> impl Future<Output = Result<String, ApiError>>;
    /// Every issue (any state) opened by `login`, oldest first, labels or not.
    fn issues_by(&self, login: &str) -> impl Future<Output = Result<Vec<Issue>, ApiError>>;
    /// Opens an issue.
    fn open_issue(
        &self,
        title: &str,
        body: &str,
        label: &str,
    ) -> impl Future<Output = Result<Issue, ApiError>>;
    /// Replaces an issue's body.
    fn update_issue(&self, number: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Comments (when `comment` is given), then closes an issue with `reason`.
    fn close_issue(
        &self,
        number: u64,
        reason: &str,
        comment: Option<&str>,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces the body and reopens an issue, then comments (when given).
    fn reopen_issue(
        &self,
        number: u64,
        body: &str,
        comment: Option<&str>,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The first comment on an issue or pull request that `login` wrote and that
    /// contains `marker`.
    fn marked_comment(
        &self,
        number: u64,
        marker: &str,
        login: &str,
    ) -> impl Future<Output = Result<Option<Comment>, ApiError>>;
    /// Comments on an issue or pull request.
    fn post_comment(&self, number: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces a comment's body.
    fn edit_comment(&self, id: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// What a pull request changes, by file.
    fn changed_lines(
        &self,
        number: u64,
    ) -> impl Future<Output = Result<BTreeMap<String, Changed>, ApiError>>;
    /// The review comments of a pull request.
    fn review_comments(&self, number: u64) -> impl Future<Output = Result<Vec<Comment>, ApiError>>;
    /// Submits one review of line comments at `commit`.
    fn review(
        &self,
        number: u64,
        commit: &str,
        body: &str,
        comments: &[Value],
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces a review comment's body.
    fn edit_review_comment(
        &self,
        id: u64,
        body: &str,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The pull requests (any state, oldest first) from `branch` that `login` opened
    /// and whose body contains `marker`.
    fn marked_pulls(
        &self,
        branch: &str,
        marker: &str,
        login: &str,
    ) -> impl Future<Output = Result<Vec<Issue>, ApiError>>;
    /// Opens a pull request from `head` into the default branch.
    fn open_pull(
        &self,
        title: &str,
        head: &str,
        body: &str,
    ) -> impl Future<Output = Result<Issue, ApiError>>;
    /// Replaces a pull request's body and/or reopens it.
    fn update_pull(
        &self,
        number: u64,
        body: Option<&str>,
        reopen: bool,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Comments, then closes a pull request.
    fn close_pull(&self, number: u64, comment: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// The authors other than `login` of the commits on `branch` that the default
    /// branch lacks (a person's work the bot must not overwrite).
    fn foreign_commits(
        &self,
        branch: &str,
        login: &str,
    ) -> impl Future<Output = Result<Vec<String>, ApiError>>;
    /// A file's text and blob id on a branch, or `None` when it is not there.
    fn file_on(
        &self,
        path: &str,
        branch: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>, ApiError>>;
    /// Points `branch` at commit `sha`, creating the branch when needed.
    fn reset_branch(&self, branch: &str, sha: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Commits a file's new text on a branch (`blob` is the replaced blob's id).
    fn commit_file(
        &self,
        path: &str,
        branch: &str,
        text: &str,
        blob: Option<&str>,
        message: &str,
    ) -> impl Future<Output = Result<(), ApiError>>;
}

impl Forge for Api {
    async fn identity(&self, fallback: &str) -> Result<String, ApiError> {
        Api::identity(self, fallback).await
    }

    async fn issues_by(&self, login: &str) -> Result<Vec<Issue>, ApiError> {
        let mut issues = Api::issues_by(self, login).await?;
        issues.sort_by_key(|i| i.number);
        Ok(issues)
    }

    async fn open_issue(&self, title: &str, body: &str, label: &str) -> Result<Issue, ApiError> {
        self.create_issue(title, body, label).await
    }

    async fn update_issue(&self, number: u64, body: &str) -> Result<(), ApiError> {
        self.edit_issue(number, Some(body), None).await
    }

    async fn close_issue(
        &self,
        number: u64,
        reason: &str,
        comment: Option<&str>,
    ) -> Result<(), ApiError> {
        if let Some(text) = comment {
            self.comment(number, text).await?;
        }
        match self.close_as(number, reason).await {
            // A GitHub that does not know the reason yet (Enterprise Server):
            // closed as completed, the comment says why.
            Err(e) if e.status == Some(422) && reason == "duplicate" => {
                self.close_as(number, "completed").await
            }
            other => other,
        }
    }

    async fn reopen_issue(
        &self,
        number: u64,
        body: &str,
        comment: Option<&str>,
    ) -> Result<(), ApiError> {
        self.edit_issue(number, Some(body), Some("open")).await?;
        if let Some(text) = comment {
            self.comment(number, text).await?;
        }
        Ok(())
    }

    async fn marked_comment(
        &self,
        number: u64,
        marker: &str,
        login: &str,
    ) -> Result<Option<Comment>, ApiError> {
        Ok(self.comments(number).await?.into_iter().find(|c| {
            c.author() == login && c.body.as_deref().unwrap_or_default().contains(marker)
        }))
    }

    async fn post_comment(&self, number: u64, body: &str) -> Result<(), ApiError> {
        self.comment(number, body).await.map(|_| ())
    }

    async fn edit_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        Api::edit_comment(self, id, body).await
    }

    async fn changed_lines(&self, number: u64) -> Result<BTreeMap<String, Changed>, ApiError> {
        Ok(self
            .pr_files(number)
            .await?
            .into_iter()
            .map(|f| {
                let changed = match f.patch.as_deref() {
                    Some(patch) => Changed::Lines(diff::added_lines(patch)),
                    None => Changed::Whole,
                };
                (f.filename, changed)
            })
            .collect())
    }

    async fn review_comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        Api::review_comments(self, number).await
    }

    async fn review(
        &self,
        number: u64,
        commit: &str,
        body: &str,
        comments: &[Value],
    ) -> Result<(), ApiError> {
        self.create_review(number, commit, body, comments).await
    }

    async fn edit_review_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        Api::edit_review_comment(self, id, body).await
    }

    async fn marked_pulls(
        &self,
        branch: &str,
        marker: &str,
        login: &str,
    ) -> Result<Vec<Issue>, ApiError> {
        let mut pulls: Vec<Issue> = self
            .pulls_from(branch)
            .await?
            .into_iter()
            .filter(|p| {
                p.author() == login && p.body.as_deref().unwrap_or_default().contains(marker)
            })
            .collect();
        pulls.sort_by_key(|p| p.number);
        Ok(pulls)
    }

    async fn open_pull(&self, title: &str, head: &str, body: &str) -> Result<Issue, ApiError> {
        let base = self.default_branch().await?;
        self.create_pull(title, head, &base, body).await
    }

    async fn update_pull(
        &self,
        number: u64,
        body: Option<&str>,
        reopen: bool,
    ) -> Result<(), ApiError> {
        self.edit_pull(number, body, reopen.then_some("open")).await
    }

    async fn close_pull(&self, number: u64, comment: &str) -> Result<(), ApiError> {
        self.comment(number, comment).await?;
        self.edit_pull(number, None, Some("closed")).await
    }

    async fn foreign_commits(&self, branch: &str, login: &str) -> Result<Vec<String>, ApiError> {
        Api::foreign_commits(self, branch, login).await
    }

    async fn file_on(
        &self,
        path: &str,
        branch: &str,
    ) -> Result<Option<(String, String)>, ApiError> {
        Api::file_on(self, path, branch).await
    }

    async fn reset_branch(&self, branch: &str, sha: &str) -> Result<(), ApiError> {
        Api::reset_branch(self, branch, sha).await
    }

    async fn commit_file(
        &self,
        path: &str,
        branch: &str,
        text: &str,
        blob: Option<&str>,
        message: &str,
    ) -> Result<(), ApiError> {
        self.put_file(path, branch, text, blob, message).await
    }
}
