//! The narrow, domain-level interface the bot needs from the code host: marked issues
//! and comments, opening/updating/closing/reopening, and the lines a pull request
//! changes. One implementation: [`Api`] (octocrab), tested against a local server.

use super::api::{Api, ApiError, Comment, Issue};
use super::diff;
use std::collections::{BTreeMap, BTreeSet};

/// What the GitHub bot does on the code host.
pub trait Forge {
    /// Issues carrying `label` whose body contains `marker`, oldest first.
    fn marked_issues(
        &self,
        label: &str,
        marker: &str,
    ) -> impl Future<Output = Result<Vec<Issue>, ApiError>>;
    /// Opens an issue.
    fn open_issue(
        &self,
        title: &str,
        body: &str,
        label: &str,
    ) -> impl Future<Output = Result<Issue, ApiError>>;
    /// Replaces an issue's body.
    fn update_issue(&self, number: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Comments, then closes an issue.
    fn close_issue(&self, number: u64, comment: &str)
    -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces the body and reopens an issue, then comments.
    fn reopen_issue(
        &self,
        number: u64,
        body: &str,
        comment: &str,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The first comment on an issue or pull request that contains `marker`.
    fn marked_comment(
        &self,
        number: u64,
        marker: &str,
    ) -> impl Future<Output = Result<Option<Comment>, ApiError>>;
    /// Comments on an issue or pull request.
    fn post_comment(&self, number: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces a comment's body.
    fn edit_comment(&self, id: u64, body: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// The new-file line numbers a pull request adds or changes, by file.
    fn changed_lines(
        &self,
        number: u64,
    ) -> impl Future<Output = Result<BTreeMap<String, BTreeSet<usize>>, ApiError>>;
}

impl Forge for Api {
    async fn marked_issues(&self, label: &str, marker: &str) -> Result<Vec<Issue>, ApiError> {
        let mut issues: Vec<Issue> = self
            .issues_with_label(label)
            .await?
            .into_iter()
            .filter(|i| i.body.as_deref().unwrap_or_default().contains(marker))
            .collect();
        issues.sort_by_key(|i| i.number);
        Ok(issues)
    }

    async fn open_issue(&self, title: &str, body: &str, label: &str) -> Result<Issue, ApiError> {
        self.create_issue(title, body, label).await
    }

    async fn update_issue(&self, number: u64, body: &str) -> Result<(), ApiError> {
        self.edit_issue(number, Some(body), None).await
    }

    async fn close_issue(&self, number: u64, comment: &str) -> Result<(), ApiError> {
        self.comment(number, comment).await?;
        self.edit_issue(number, None, Some("closed")).await
    }

    async fn reopen_issue(&self, number: u64, body: &str, comment: &str) -> Result<(), ApiError> {
        self.edit_issue(number, Some(body), Some("open")).await?;
        self.comment(number, comment).await.map(|_| ())
    }

    async fn marked_comment(&self, number: u64, marker: &str) -> Result<Option<Comment>, ApiError> {
        Ok(self
            .comments(number)
            .await?
            .into_iter()
            .find(|c| c.body.as_deref().unwrap_or_default().contains(marker)))
    }

    async fn post_comment(&self, number: u64, body: &str) -> Result<(), ApiError> {
        self.comment(number, body).await.map(|_| ())
    }

    async fn edit_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        Api::edit_comment(self, id, body).await
    }

    async fn changed_lines(
        &self,
        number: u64,
    ) -> Result<BTreeMap<String, BTreeSet<usize>>, ApiError> {
        Ok(self
            .pr_files(number)
            .await?
            .into_iter()
            .filter_map(|f| Some((f.filename, diff::added_lines(f.patch.as_deref()?))))
            .collect())
    }
}
