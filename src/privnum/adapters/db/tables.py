"""The schema, as SQLAlchemy Core tables. Alembic migrations in ``migrations/`` create it.

Rules that must hold across processes live here as constraints:
- ``binding_keys`` primary key (number, key): a user number at most once per AXB X, an
  extension unique per AXE X, an AX relation at most once per AXYB Y;
- ``numbers.load`` is only ever raised by a conditional UPDATE (load < capacity);
- ``user_quotas`` primary key (app_id, user_number) with CHECK used <= 5: an A on at most 5 X;
- ``enterprises.app_count`` is only ever raised by a conditional UPDATE (app_count < app_quota), with
  CHECK app_count <= app_quota: an enterprise never has more apps than its quota.
- ``enterprises`` names: unique per tenant (partial unique index where tenant_id IS NOT NULL) and among the
  operators' own (partial unique index on name where tenant_id IS NULL: NULLs never collide in a plain one).
- ``cdrs`` unique (app_id, icid): one record per call, however often its release is saved.
- ``voice_files`` unique (app_id, name): one file per name per app; platform defaults have app_id 0 (not
  NULL: NULLs are never equal in a unique constraint, so NULL would allow two defaults of one name).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from privnum.domain.enterprises import DEFAULT_APP_QUOTA
from privnum.domain.limits import X_PER_USER

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("app_count", Integer, nullable=False, server_default="0"),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("app_quota", Integer, nullable=False, server_default=str(DEFAULT_APP_QUOTA)),
    Column("tenant_id", Integer, nullable=True, index=True),
    Column("status", String(16), nullable=False, server_default="approved"),
    # enterprises: more columns (issue 13, enterprises and apps)
    Column("credit_code", String(18)),  # NULL: an operators' enterprise (no profile, no review)
    Column("nature", String(16)),
    Column("industry", String(64)),
    Column("scenario_call", Text),
    Column("scenario_sms", Text),
    Column("call_script", Text),
    Column("carrier_kind", String(32)),
    Column("carrier_name", String(128)),
    Column("carrier_is_third_party", Boolean, nullable=False, server_default="0"),
    Column("legal_name", String(64)),
    Column("handler_name", String(64)),
    Column("handler_phone", String(16)),
    Column("auth_letter_valid_until", Date),
    Column("updated_at_ms", BigInteger),
    CheckConstraint("app_count >= 0 AND app_count <= app_quota", name="app_count_range"),
    # names: unique per tenant, and among the operators' own (NULL tenants never collide in a unique constraint)
    Index("uq_enterprises_tenant_name", "tenant_id", "name", unique=True,
          sqlite_where=text("tenant_id IS NOT NULL"), postgresql_where=text("tenant_id IS NOT NULL")),
    Index("uq_enterprises_operator_name", "name", unique=True,
          sqlite_where=text("tenant_id IS NULL"), postgresql_where=text("tenant_id IS NULL")),
)

apps = Table(
    "apps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("app_key", String(64), nullable=False, unique=True),
    Column("app_secret", String(128), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("call_status_url", Text),
    Column("cdr_url", Text),
    Column("sms_url", Text),
    Column("number_status_url", Text),
    Column("push_number_status", Boolean, nullable=False, server_default="0"),
    Column("recording_enabled", Boolean, nullable=False, server_default="0"),
    Column("sms_enabled", Boolean, nullable=False, server_default="0"),
    Column("ip_allowlist", Text, nullable=False, server_default=""),
    Column("extension_length", Integer, nullable=False, server_default="4"),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("tags", Text),  # JSON [[key, value], ...]
    Column("previous_secret", String(128)),  # after a rotation, accepted until previous_secret_until_ms
    Column("previous_secret_until_ms", BigInteger),
    # the SMS relay (issue 14): Block SMS events go to sms_control_url (else sms_url); sms_content puts the
    # text in SMS notifications (Huawei's "SMS notification carries content")
    Column("sms_control_url", Text),
    Column("sms_content", Boolean, nullable=False, server_default="0"),
    CheckConstraint("extension_length BETWEEN 1 AND 4", name="extension_length_range"),
)

numbers = Table(
    "numbers",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id"), nullable=True),
    Column("area_code", String(8), nullable=False),
    Column("province", String(32)),
    Column("state", String(16), nullable=False, server_default="available"),
    Column("load", Integer, nullable=False, server_default="0"),
    Column("role", String(1)),
    Column("sms_capable", Boolean, nullable=False, server_default="1"),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    # the inventory and orders (issue 13, numbers): stock has no app; a locked number takes no new bindings
    Column("number_type", String(16)),
    Column("city", String(32)),
    Column("order_id", Integer, index=True),
    Column("issued_at_ms", BigInteger),
    Column("released_at_ms", BigInteger),
    Column("locked", Boolean, nullable=False, server_default="0"),
    Column("lock_reason", String(200)),
    CheckConstraint("load >= 0", name="load_not_negative"),
    Index("ix_numbers_app_area", "app_id", "area_code"),
    Index("ix_numbers_app_province", "app_id", "province"),
)

bindings = Table(
    "bindings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("app_id", Integer, ForeignKey("apps.id"), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("number", String(32), ForeignKey("numbers.number"), nullable=False),
    Column("party_a", String(32)),
    Column("party_b", String(32)),
    Column("extension", String(4)),
    Column("parent_id", String(64)),
    Column("settings", Text, nullable=False, server_default="{}"),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger),
    Index("ix_bindings_number", "number"),
    Index("ix_bindings_app_party_a", "app_id", "party_a"),
    Index("ix_bindings_parent", "parent_id"),
    Index("ix_bindings_expires", "expires_at_ms"),
)

binding_keys = Table(
    "binding_keys",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("binding_id", String(64), nullable=False),
    Index("ix_binding_keys_binding", "binding_id"),
)

user_quotas = Table(
    "user_quotas",
    metadata,
    Column("app_id", Integer, primary_key=True),
    Column("user_number", String(32), primary_key=True),
    Column("used", Integer, nullable=False),
    CheckConstraint(f"used >= 0 AND used <= {X_PER_USER}", name="used_range"),
)

nonces = Table(
    "nonces",
    metadata,
    Column("app_key", String(64), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("expires_at_ms", BigInteger, nullable=False),
    Index("ix_nonces_expires", "expires_at_ms"),
)

auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ip", String(64), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_auth_failures_ip_at", "ip", "at_ms"),
)

ip_bans = Table(
    "ip_bans",
    metadata,
    Column("ip", String(64), primary_key=True),
    Column("until_ms", BigInteger, nullable=False),
)

calls = Table(
    "calls",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("app_id", Integer, nullable=True),
    Column("owner", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Index("ix_calls_state_owner", "state", "owner"),
)

instances = Table(
    "instances",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at_ms", BigInteger, nullable=False),
    Column("heartbeat_at_ms", BigInteger, nullable=False),
)

pushes = Table(
    "pushes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("push_id", String(64), nullable=False, unique=True),
    Column("app_id", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("order_key", String(128)),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at_ms", BigInteger, nullable=False),
    Column("lease_until_ms", BigInteger),
    Column("batch_id", Integer),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("delivered_at_ms", BigInteger),
    Column("last_error", Text),
    Index("ix_pushes_state_next", "state", "next_attempt_at_ms"),
    Index("ix_pushes_order_key", "order_key", "id"),
    Index("ix_pushes_dead_app", "app_id", sqlite_where=text("state = 'dead'"), postgresql_where=text("state = 'dead'")),
)

push_attempts = Table(
    "push_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("push_row_id", Integer, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("error", Text),
    Column("elapsed_ms", Integer, nullable=False),
    Index("ix_push_attempts_push", "push_row_id"),
)

recordings = Table(
    "recordings",
    metadata,
    Column("file_name", String(128), primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("session_id", String(128), nullable=False),
    Column("bucket", String(64), nullable=False),
    Column("domain", String(128), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Index("ix_recordings_created", "created_at_ms"),
)

cdrs = Table(
    "cdrs",
    metadata,
    Column("session_id", String(128), primary_key=True),
    Column("app_id", Integer, nullable=False),
    Column("icid", String(128), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("binding_id", String(64)),
    Column("direction", Integer, nullable=False),
    Column("caller", String(32), nullable=False),
    Column("called", String(32), nullable=False),
    Column("callee", String(32)),
    Column("display", String(32)),
    Column("extension", String(8)),
    Column("area_code", String(8)),
    Column("started_at_ms", BigInteger, nullable=False),
    Column("forwarded_at_ms", BigInteger),
    Column("alerting_at_ms", BigInteger),
    Column("answered_at_ms", BigInteger),
    Column("ended_at_ms", BigInteger, nullable=False),
    Column("cause", Integer, nullable=False),
    Column("q850", Integer, nullable=False),
    Column("sip_status", Integer, nullable=False),
    Column("released_by", String(16)),
    Column("talk_seconds", Integer, nullable=False),
    Column("recording_object_name", String(128)),
    Column("recording_bucket", String(64)),
    Column("recording_domain", String(128)),
    Column("recording_started_at_ms", BigInteger),
    Column("user_data", Text),
    Column("created_at_ms", BigInteger, nullable=False),
    UniqueConstraint("app_id", "icid", name="uq_cdrs_app_icid"),
    Index("ix_cdrs_app_ended", "app_id", "ended_at_ms"),
)

call_commands = Table(
    "call_commands",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(128), nullable=False),
    Column("session_id", String(128), nullable=False),
    Column("app_id", Integer, nullable=False),
    Column("command", String(16), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("done_at_ms", BigInteger),
    Column("outcome", String(16)),
    Index("ix_call_commands_owner_pending", "owner", "done_at_ms"),
)

voice_files = Table(
    "voice_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", Integer, nullable=False, server_default="0"),
    Column("name", String(128), nullable=False),
    Column("version", String(64), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    # reviewed per tenant (issue 13, migration 0010): only approved files are played
    Column("state", String(16), nullable=False, server_default="approved"),
    Column("description", String(128), nullable=False, server_default=""),
    Column("original_name", String(255)),
    Column("original_format", String(128)),
    Column("conversion", String(255)),
    Column("size_bytes", Integer),
    Column("uploaded_by", String(64)),
    Column("tenant_id", Integer),
    UniqueConstraint("app_id", "name", name="uq_voice_files_app_name"),
    CheckConstraint("duration_ms > 0", name="duration_positive"),
    Index("ix_voice_files_tenant_id", "tenant_id"),
)


# The management plane (issue 13): access, audit, reviews, settings, stored files.

tenants = Table(
    "tenants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at_ms", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("password_hash", String(255)),
    Column("display_name", String(64), nullable=False, server_default=""),
    Column("locale", String(8), nullable=False, server_default="zh_CN"),
    Column("tenant_id", Integer, ForeignKey("tenants.id")),
    Column("role", String(32), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("invite_token_hash", String(64), unique=True),
    Column("invite_expires_at_ms", BigInteger),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("last_login_at_ms", BigInteger),
    Index("ix_users_tenant", "tenant_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("ip", String(64)),
    Column("user_agent", String(255)),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("last_seen_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Index("ix_sessions_user", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Column("last_used_at_ms", BigInteger),
    Column("revoked_at_ms", BigInteger),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_login_failures_login_at", "login", "at_ms"),
    Index("ix_login_failures_ip_at", "ip", "at_ms"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_login", String(64), nullable=False),
    Column("actor_user_id", Integer),
    Column("tenant_id", Integer),
    Column("action", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("details_json", Text),
    Column("ip", String(64)),
    Index("ix_audit_events_tenant_at", "tenant_id", "at_ms"),
    Index("ix_audit_events_at", "at_ms"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("tenant_id", Integer),
    Column("revision", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("subject_label", String(128), nullable=False),
    Column("submitted_at_ms", BigInteger, nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("reason_code", String(64)),
    Column("message", Text),
    Column("decided_at_ms", BigInteger),
    Column("decided_by", String(64)),
    Column("nudged_at_ms", BigInteger),
    Column("nudges", Integer, nullable=False, server_default="0"),
    UniqueConstraint("kind", "subject_id", "revision", name="uq_reviews_kind_subject_revision"),
    Index("ix_reviews_state_kind", "state", "kind"),
)

platform_settings = Table(
    "platform_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)

stored_files = Table(
    "stored_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer),
    Column("kind", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("created_by", String(64), nullable=False),
)

# enterprise materials, app tags (issue 13, enterprises and apps): tables below

enterprise_materials = Table(
    "enterprise_materials",
    metadata,
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), primary_key=True),
    Column("kind", String(32), primary_key=True),  # one file per kind: an upload replaces the previous one
    Column("file_id", Integer, ForeignKey("stored_files.id"), nullable=False),
)

# number inventory, orders, releases (issue 13, numbers): tables below

number_orders = Table(
    "number_orders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer),
    Column("enterprise_id", Integer, ForeignKey("enterprises.id"), nullable=False),
    Column("app_id", Integer, ForeignKey("apps.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("sms_required", Boolean, nullable=False, server_default="0"),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("completed_at_ms", BigInteger),
    Index("ix_number_orders_tenant_state", "tenant_id", "state"),
)

number_order_lines = Table(
    "number_order_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", Integer, ForeignKey("number_orders.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("area_code", String(8), nullable=False),
    Column("city", String(32)),
    Column("number_type", String(16), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("issued", Integer, nullable=False, server_default="0"),
    UniqueConstraint("order_id", "area_code", "number_type", name="uq_number_order_lines_order_area_type"),
    CheckConstraint("quantity BETWEEN 1 AND 1000", name="quantity_range"),
)

number_releases = Table(
    "number_releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(32), nullable=False),
    Column("app_id", Integer, nullable=False),
    Column("tenant_id", Integer),
    Column("order_id", Integer),
    Column("released_at_ms", BigInteger, nullable=False),
    Column("rent_through", String(7), nullable=False),
    Column("released_by", String(64), nullable=False),
    Index("ix_number_releases_tenant", "tenant_id", "released_at_ms"),
    Index("ix_number_releases_number", "number"),
)

# voice-file review (issue 13, voice files): tables below

# records and statistics (issue 13, records): tables below

binding_events = Table(
    "binding_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("app_id", Integer, nullable=False),
    Column("binding_id", String(64), nullable=False),
    Column("number", String(32), nullable=False),
    Column("kind", String(8), nullable=False),  # bind / unbind
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_binding_events_at", "at_ms"),
    Index("ix_binding_events_app_at", "app_id", "at_ms"),
)

# the records pages' lookups: CDRs by call start (every tenant, and per app), pushes per app
Index("ix_cdrs_started", cdrs.c.started_at_ms)
Index("ix_cdrs_app_started", cdrs.c.app_id, cdrs.c.started_at_ms)
Index("ix_pushes_app", pushes.c.app_id, pushes.c.id)

# A numbers on file, Huawei's A号码报备 (issue 13, A numbers): tables below

a_numbers = Table(
    "a_numbers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("number", String(20), nullable=False),
    Column("number_type", Integer, nullable=False),
    Column("name", String(50), nullable=False),
    Column("identity_card_masked", String(20), nullable=False),  # never the full ID number
    Column("live_face_image", String(64), nullable=False),
    Column("operator_number", String(20)),
    Column("report_status", Integer, nullable=False),
    Column("fail_reason", String(255)),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("tenant_id", "number", name="uq_a_numbers_tenant_number"),
)

a_number_photos = Table(
    "a_number_photos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("content_type", String(16), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_a_number_photos_tenant_name"),
    Index("ix_a_number_photos_tenant_created", "tenant_id", "created_at_ms"),
)

# The SMS relay (issue 14): one row per logical message (concatenated parts arrive merged), from its arrival
# to its last delivery report. (gateway, gateway_ref) is unique: a message the gateway hands over twice is
# relayed once. state: received -> sending -> sent | done (dropped, with send_result); see service/sms.
sms_messages = Table(
    "sms_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sms_id", String(64), nullable=False),  # smsIdentifier; the gateway's DLRs are keyed by it
    Column("gateway", String(16), nullable=False),
    Column("gateway_ref", String(128), nullable=False),
    Column("sender", String(32), nullable=False),
    Column("x_number", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("received_at_ms", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("lease_until_ms", BigInteger),
    Column("next_attempt_at_ms", BigInteger, nullable=False),
    Column("app_id", Integer, ForeignKey("apps.id")),
    Column("mode", String(8)),
    Column("binding_id", String(64)),
    Column("receiver", String(32)),
    Column("from_number", String(32)),
    Column("forwarded_text", Text),
    Column("segments", Integer, nullable=False, server_default="0"),
    Column("direction", Integer),
    Column("user_data", String(256)),
    Column("notification_mode", String(8)),
    Column("send_result", Integer),
    Column("send_attempts", Integer, nullable=False, server_default="0"),
    Column("send_started_at_ms", BigInteger),  # set while a send is in flight: in doubt after a crash
    Column("last_error", Text),
    Column("delivery", String(16)),  # the gateway's latest report: accepted, delivered, undelivered, rejected
    Column("delivery_detail", Text),
    Column("delivery_at_ms", BigInteger),
    Column("finished_at_ms", BigInteger),
    UniqueConstraint("sms_id", name="uq_sms_messages_sms_id"),
    UniqueConstraint("gateway", "gateway_ref", name="uq_sms_messages_gateway_ref"),
    Index("ix_sms_messages_due", "state", "next_attempt_at_ms"),
    Index("ix_sms_messages_app_received", "app_id", "received_at_ms"),
)

# billing (issue 15): one account per tenant, versioned price plans, usage ingested once per (app, source, key,
# meter), rated lines, and a double-entry ledger of journals (unique key: the idempotency of every money movement)
# and postings (Σ per journal = 0). billing_accounts.balance_micros caches −Σ of the tenant's wallet postings and
# is updated in the same transaction as the postings. Money: integer micros only.

price_plans = Table(
    "price_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("effective_from_ms", BigInteger, nullable=False),
    Column("rates", Text, nullable=False),  # JSON {"meter:class": {"unit_price": micros, "increment_s", "min_units"}}
    Column("truncate_to_cents", Boolean, nullable=False, server_default="0"),
    Column("created_at_ms", BigInteger, nullable=False),
    UniqueConstraint("name", "version", name="uq_price_plans_name_version"),
)

billing_accounts = Table(
    "billing_accounts",
    metadata,
    Column("tenant_id", Integer, ForeignKey("tenants.id"), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("price_plan", String(64), nullable=False),
    Column("balance_micros", BigInteger, nullable=False, server_default="0"),
    Column("credit_limit_micros", BigInteger, nullable=False, server_default="0"),
    Column("standing", String(16), nullable=False, server_default="active"),
    Column("standing_since_ms", BigInteger),  # when it took its standing
    Column("created_at_ms", BigInteger, nullable=False),
    # the balance's side of the credit line: short since (NULL while covered), covered again since (NULL while
    # short); the grace and recovery delays count from these
    Column("short_since_ms", BigInteger),
    Column("covered_since_ms", BigInteger),
    # notify the operator when the balance falls below this (NULL: never); below it since (NULL: above)
    Column("low_balance_micros", BigInteger),
    Column("low_since_ms", BigInteger),
)

usage_records = Table(
    "usage_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, nullable=False),
    Column("app_id", Integer, nullable=False),
    Column("source", String(8), nullable=False),  # cdr | sms | rent
    Column("key", String(128), nullable=False),  # icid, smsIdentifier, or <number>:<YYYY-MM>
    Column("meter", String(32), nullable=False),
    Column("number_class", String(16), nullable=False),
    Column("x_number", String(32), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("occurred_at_ms", BigInteger, nullable=False),
    Column("settlement_key", String(96)),  # NULL until settled; the journal key it was settled under
    Column("created_at_ms", BigInteger, nullable=False),
    UniqueConstraint("app_id", "source", "key", "meter", name="uq_usage_records_app_source_key_meter"),
    Index("ix_usage_records_unsettled", "tenant_id", "settlement_key", "occurred_at_ms"),
    Index("ix_usage_records_unsettled_at", "occurred_at_ms", sqlite_where=text("settlement_key IS NULL"),
          postgresql_where=text("settlement_key IS NULL")),
)

rated_lines = Table(
    "rated_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("usage_record_id", Integer, ForeignKey("usage_records.id"), nullable=False, index=True),
    Column("package_id", Integer),  # NULL: pay as you go
    Column("units", BigInteger, nullable=False),
    Column("unit_price_micros", BigInteger, nullable=False),
    Column("amount_micros", BigInteger, nullable=False),
)

journals = Table(
    "journals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(96), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("tenant_id", Integer, nullable=False, index=True),
    Column("at_ms", BigInteger, nullable=False),
    Column("memo", Text),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("journal_id", Integer, ForeignKey("journals.id"), nullable=False, index=True),
    Column("ledger_account", String(64), nullable=False, index=True),
    Column("amount_micros", BigInteger, nullable=False),  # debit +, credit −
)

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(96), nullable=False),
    Column("lease_until_ms", BigInteger, nullable=False),
)

# packages (issue 15, billing.md R-9…R-14): the operator's catalogue, the packages tenants bought (one per purchase
# key: the journal key of its payment) and what is left of each package's quotas. A draw is a conditional UPDATE
# (units_left >= n) and CHECK units_left >= 0 keeps a quota from ever going below zero.

package_products = Table(
    "package_products",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("price_micros", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("validity_months", Integer, nullable=False),
    Column("quotas", Text, nullable=False),  # JSON [{"meter", "number_class" (null: any class), "units"}]
    Column("created_at_ms", BigInteger, nullable=False),
    CheckConstraint("price_micros >= 0", name="price_not_negative"),
    CheckConstraint("validity_months > 0", name="validity_positive"),
)

packages = Table(
    "packages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("package_products.id"), nullable=False),
    Column("purchase_key", String(96), nullable=False, unique=True),  # package:<tenant>:<reference>
    Column("bought_at_ms", BigInteger, nullable=False),
    Column("effective_from_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    Index("ix_packages_tenant_expiry", "tenant_id", "expires_at_ms"),
)

package_quotas = Table(
    "package_quotas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("package_id", Integer, ForeignKey("packages.id"), nullable=False, index=True),
    Column("meter", String(32), nullable=False),
    Column("number_class", String(16)),  # NULL: any class
    Column("units_total", BigInteger, nullable=False),
    Column("units_left", BigInteger, nullable=False),
    CheckConstraint("units_left >= 0", name="units_left_not_negative"),
    CheckConstraint("units_left <= units_total", name="units_left_within_total"),
)

# billing notifications (billing.md ): one row per event, ``key`` unique so an event is raised once however
# often the job that finds it runs; delivered to the operator's webhook at least once (``delivered_at_ms`` NULL:
# not yet; ``next_attempt_at_ms`` doubles as the claim's lease).

billing_notifications = Table(
    "billing_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("key", String(128), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("delivered_at_ms", BigInteger),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at_ms", BigInteger, nullable=False),
    Column("last_error", String(500)),
    Index("ix_billing_notifications_due", "delivered_at_ms", "next_attempt_at_ms"),
    Index("ix_billing_notifications_tenant", "tenant_id", "id"),
)
