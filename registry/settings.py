"""One Settings class for the whole registry (environment prefix ``GOVCODE_``).

The defaults give the embedded setup: SQLite, a Whoosh index, a SQLite-backed queue
and a git cache, all under ``./var``. Every limit is a setting with a sane default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-secret-change-me"}


class Settings(BaseSettings):
    """Registry settings. Each field's description is the documentation."""

    model_config = SettingsConfigDict(env_prefix="GOVCODE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="production refuses placeholder secrets"
    )
    var_dir: Path = Field(Path("var"), description="where embedded data lives")
    database_url: str = Field("", description="SQLAlchemy URL; empty = SQLite in var_dir")
    index_dir: Path | None = Field(None, description="search index folder; empty = var_dir/index")
    search_engine: Literal["tantivy", "whoosh"] = Field(
        "tantivy", description="search engine: tantivy (default, measured fastest) or whoosh"
    )
    git_cache_dir: Path | None = Field(None, description="bare clones; empty = var_dir/git-cache")
    queue_url: str = Field("", description="'' = SQLite queue in var_dir; redis://… = Redis")
    queue_name: str = Field("govcode", description="queue name (Redis key prefix)")
    queue_immediate: bool = Field(False, description="run queued tasks inline (tests, demo)")
    index_sync_interval: float = Field(
        0.5,
        description="seconds between a web node's polls of the change log (a commit in the "
        "same process wakes it at once)",
    )

    base_url: str = Field("http://127.0.0.1:8000", description="public URL of this registry")
    host: str = Field("127.0.0.1", description="address `govcode serve` binds")
    port: int = Field(8000, description="port `govcode serve` binds")
    web_gc_freeze: bool = Field(
        True,
        description="a web worker moves what it holds at startup out of the garbage "
        "collector's reach (gc.freeze), so full collections stay short",
    )
    web_threads: int = Field(
        4,
        ge=1,
        le=1000,
        description="requests a web worker process handles at once (the rest wait their turn: "
        "many at once share the process's one interpreter and all finish late)",
    )
    secret_key: SecretStr = Field(
        SecretStr("dev-secret-change-me"), description="signs sessions and tokens"
    )

    github_api_url: str = Field("https://api.github.com", description="GitHub REST API base")
    github_token: SecretStr | None = Field(None, description="GitHub token (optional)")
    github_app_id: int | None = Field(
        None, description="GitHub App id; with the key and installation id, used instead of a token"
    )
    github_app_private_key: SecretStr | None = Field(
        None, description="the GitHub App's private key: PEM text, or the path of a PEM file"
    )
    github_app_installation_id: int | None = Field(
        None, description="the GitHub App's installation id on the organisations crawled"
    )
    github_rate_limit_max_sleep: float = Field(
        60.0,
        description="seconds a crawl may sleep for GitHub's rate limit to reset; a longer wait "
        "stops the crawl and the queued task is rescheduled for the reset time",
    )
    http_cache_path: Path | None = Field(
        None,
        description="SQLite HTTP cache of forge API answers, revalidated with ETags; "
        "empty = var_dir/http-cache.sqlite (with a Redis queue URL the cache is in Redis)",
    )
    http_cache_ttl_days: float = Field(
        30.0, description="cached forge API answers not revalidated for this long are dropped"
    )
    gitlab_url: str = Field("https://gitlab.com", description="default GitLab instance")
    gitlab_token: SecretStr | None = Field(None, description="GitLab token (optional)")

    allow_http_hosts: list[str] = Field(
        default_factory=list,
        description="hosts (host or host:port) that may be reached over plain http and on "
        "loopback/private addresses; for tests and local demos only",
    )
    http_timeout: float = Field(20.0, description="seconds per outgoing HTTP request")
    inventory_max_bytes: int = Field(
        20_000_000, description="largest inventory or URL list read (file or download)"
    )
    inventory_deadline: float = Field(
        60.0,
        description="seconds one inventory request (one URL list, code.json or publiccode.yml "
        "fetch, headers and body) may take in total, however slowly the server answers",
    )
    inventory_max_urls: int = Field(
        2_000, description="most publiccode.yml files or git URLs read from one list"
    )

    max_blob_bytes: int = Field(1_000_000, description="larger blobs are never read")
    max_tree_files: int = Field(50_000, description="larger trees are sampled")
    provenance_history_commits: int = Field(
        2_000, description="newest commits kept per repository as evidence of who reused whom"
    )
    provenance_history_trees: int = Field(
        4, description="past commits (besides the root) whose files are fingerprinted"
    )
    contact_email: str = Field(
        "contact@govcode.invalid",
        max_length=200,
        description="the registry's contact address, where an export needs one and the "
        "publisher gave none",
    )
    readme_render_max_chars: int = Field(
        100_000, ge=0, description="characters of a README a repository page renders"
    )
    feed_search_scan: int = Field(
        2_000, ge=100, description="matches of a saved search its Atom feed looks at"
    )
    language_sample_bytes: int = Field(
        16_384,
        ge=256,
        description="bytes read from the start of a file whose name alone cannot tell its "
        "language (any size of file)",
    )
    repo_time_budget: float = Field(300.0, description="seconds one repository may take")
    git_cache_max_bytes: int = Field(5 * 1024**3, description="git cache size cap")
    max_tree_entries: int = Field(
        1_000_000, description="a tree listing more entries is refused (a git bomb)"
    )
    max_tree_listing_bytes: int = Field(
        128 * 1024**2, description="a tree listing longer than this is refused (a git bomb)"
    )
    git_max_memory_bytes: int = Field(
        2 * 1024**3, description="address space each git process may use"
    )
    clone_max_bytes: int = Field(
        1024**3, description="most one clone or fetch may transfer and keep"
    )
    crawl_stale_after: float = Field(
        900.0, description="seconds without a heartbeat before a running crawl is interrupted"
    )
    requests_per_second: float = Field(10.0, description="per forge, outgoing")

    smtp_host: str = Field("", description="SMTP server; empty = print mail to the console")
    smtp_port: int = Field(25, description="SMTP port")
    smtp_user: str = Field("", description="SMTP user (optional)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (optional)")
    smtp_starttls: bool = Field(False, description="upgrade the SMTP connection with STARTTLS")
    smtp_timeout: float = Field(10.0, description="seconds SMTP may wait for any one reply")
    smtp_deadline: float = Field(
        60.0, description="seconds handing one message to the SMTP server may take in all"
    )
    mail_from: str = Field("govcode <noreply@govcode.invalid>", description="From: header")
    webhook_timeout: float = Field(
        10.0, description="seconds a webhook POST may wait for any one network operation"
    )
    webhook_deadline: float = Field(
        20.0, description="seconds one webhook POST may take in all, however the receiver trickles"
    )
    delivery_lease_seconds: float = Field(
        600.0,
        description="how long a delivery pass holds the deliveries it claimed; longer than "
        "one send can take, so no second pass sends them meanwhile",
    )
    delivery_batch_size: int = Field(100, description="deliveries one pass claims at a time")
    delivery_max_attempts: int = Field(
        12, description="tries before a delivery is given up (its retry budget)"
    )
    delivery_backoff_base_seconds: float = Field(
        30.0,
        description="the first retry waits up to this long; each later one up to twice as long",
    )
    delivery_backoff_max_seconds: float = Field(
        6 * 3600.0, description="no retry waits longer than this"
    )
    delivery_pause_after_days: float = Field(
        3.0, description="a subscription whose every delivery failed for this long is paused"
    )
    webhook_secret_overlap_hours: float = Field(
        24.0, description="after a secret rotation, hours the old secret stays valid too"
    )

    fork_wait_seconds: float = Field(
        60.0, description="how long a fork through the forge API may take to appear"
    )
    forge_token_key: SecretStr | None = Field(
        None,
        description="Fernet key (url-safe base64 of 32 bytes) that encrypts the forge tokens "
        "people ask govcode to keep for their next fork; empty = tokens are never kept",
    )
    fork_poll_seconds: float = Field(
        1.0, description="seconds between asks whether a fork being made exists yet"
    )

    password_min_length: int = Field(10, description="shortest password accepted at sign-up")
    session_max_age: int = Field(14 * 24 * 3600, description="seconds a sign-in cookie stays valid")
    confirm_link_max_age: int = Field(
        3 * 24 * 3600, description="seconds an e-mail confirmation link stays valid"
    )
    reset_link_max_age: int = Field(3600, description="seconds a password reset link stays valid")
    signin_max_failures: int = Field(
        5, description="failed sign-ins per account in a window before it is throttled"
    )
    signin_max_failures_per_address: int = Field(
        20, description="failed sign-ins per client address in a window before it is throttled"
    )
    recrawl_interval_hours: float = Field(
        24.0, description="hours between scheduled crawls of a verified source"
    )
    signin_window_seconds: int = Field(
        900, description="length of the sign-in throttle window, from the first failure"
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        longest = max(self.webhook_deadline, self.smtp_deadline)
        if self.delivery_lease_seconds <= longest:
            raise ValueError(
                f"GOVCODE_DELIVERY_LEASE_SECONDS ({self.delivery_lease_seconds:g}) must be longer "
                f"than the longest send (webhook or SMTP deadline, {longest:g}s)"
            )
        return self

    @model_validator(mode="after")
    def _token_key_is_a_fernet_key(self) -> Settings:
        if self.forge_token_key is not None:
            from registry.token_box import TokenBox

            TokenBox(self.forge_token_key.get_secret_value())  # ValueError: says what is wrong
        return self

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment == "production":
            if self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
                raise ValueError("GOVCODE_SECRET_KEY must be set to a real secret in production")
            if self.allow_http_hosts:
                raise ValueError("GOVCODE_ALLOW_HTTP_HOSTS must be empty in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'govcode.db'}"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.var_dir / "index"

    @property
    def resolved_git_cache_dir(self) -> Path:
        return self.git_cache_dir or self.var_dir / "git-cache"

    @property
    def resolved_http_cache_path(self) -> Path:
        return self.http_cache_path or self.var_dir / "http-cache.sqlite"

    @property
    def queue_path(self) -> Path:
        return self.var_dir / "queue.db"
