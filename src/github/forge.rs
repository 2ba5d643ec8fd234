//! The narrow, domain-level interface the bot needs from the code host: marked issues
//! and comments, opening/updating/closing/reopening, the lines a pull request
//! changes, and for `fix --github` the fixes pull request, its branch and files. One implementation: [`Api`] (octocrab), tested against a local server.

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
    /// The first pull request (any state) from `branch` whose body contains `marker`.
    fn marked_pull(
        &self,
        branch: &str,
        marker: &str,
    ) -> impl Future<Output = Result<Option<Issue>, ApiError>>;
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

    async fn marked_pull(&self, branch: &str, marker: &str) -> Result<Option<Issue>, ApiError> {
        Ok(self
            .pulls_from(branch)
            .await?
            .into_iter()
            .find(|p| p.body.as_deref().unwrap_or_default().contains(marker)))
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
