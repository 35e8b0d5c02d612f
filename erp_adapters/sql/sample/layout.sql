-- The sample ERP database: the books of a small contractor, laid out as many construction
-- ERPs keep them (one table per record kind, codes a person sees, ids that never change).
-- Portable SQL: runs on SQLite and PostgreSQL. Creates from Procore land in the same tables
-- (procore_id set, unique); an ERP with import tables maps "create" to those instead.

CREATE TABLE vendors (
    vendor_id    VARCHAR(36) PRIMARY KEY,
    vendor_code  VARCHAR(15) NOT NULL UNIQUE,
    name         VARCHAR(30) NOT NULL,
    address      VARCHAR(60),
    city         VARCHAR(30),
    state        VARCHAR(2),
    zip          VARCHAR(10),
    country      VARCHAR(2),
    phone        VARCHAR(20),
    email        VARCHAR(80),
    website      VARCHAR(100),
    trade        VARCHAR(40),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    procore_id   BIGINT UNIQUE
);

CREATE TABLE jobs (
    job_id           VARCHAR(36) PRIMARY KEY,
    job_code         VARCHAR(10) NOT NULL UNIQUE,
    name             VARCHAR(40) NOT NULL,
    address          VARCHAR(60),
    city             VARCHAR(30),
    state            VARCHAR(2),
    zip              VARCHAR(10),
    country          VARCHAR(2),
    start_date       DATE,
    completion_date  DATE,
    contract_value   NUMERIC(14, 2),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    procore_id       BIGINT UNIQUE
);

CREATE TABLE cost_codes (
    cost_code_id  VARCHAR(36) PRIMARY KEY,
    code          VARCHAR(20) NOT NULL UNIQUE,
    description   VARCHAR(40) NOT NULL,
    parent_id     VARCHAR(36) REFERENCES cost_codes (cost_code_id),
    procore_id    BIGINT UNIQUE
);

CREATE TABLE cost_types (
    cost_type_id  VARCHAR(36) PRIMARY KEY,
    code          VARCHAR(2) NOT NULL UNIQUE,
    description   VARCHAR(30) NOT NULL,
    procore_id    BIGINT UNIQUE
);

CREATE TABLE commitments (
    commitment_id    VARCHAR(36) PRIMARY KEY,
    job_id           VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    vendor_id        VARCHAR(36) NOT NULL REFERENCES vendors (vendor_id),
    commitment_type  VARCHAR(2) NOT NULL CHECK (commitment_type IN ('SC', 'PO')),
    number           VARCHAR(20) NOT NULL,
    title            VARCHAR(60),
    description      TEXT,
    status           VARCHAR(20),
    executed         BOOLEAN NOT NULL DEFAULT FALSE,
    retainage        NUMERIC(5, 2),
    procore_id       BIGINT UNIQUE,
    UNIQUE (job_id, number)
);

CREATE TABLE commitment_lines (
    line_id        VARCHAR(36) PRIMARY KEY,
    commitment_id  VARCHAR(36) NOT NULL REFERENCES commitments (commitment_id),
    line_no        INTEGER NOT NULL,
    description    VARCHAR(60),
    cost_code_id   VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id   VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    quantity       NUMERIC(16, 4),
    unit_cost      NUMERIC(16, 4),
    uom            VARCHAR(10),
    amount         NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    procore_id     BIGINT UNIQUE
);

CREATE TABLE change_orders (
    change_order_id  VARCHAR(36) PRIMARY KEY,
    commitment_id    VARCHAR(36) NOT NULL REFERENCES commitments (commitment_id),
    number           VARCHAR(20) NOT NULL,
    title            VARCHAR(60),
    description      TEXT,
    status           VARCHAR(20),
    procore_id       BIGINT UNIQUE,
    UNIQUE (commitment_id, number)
);

CREATE TABLE change_order_lines (
    line_id             VARCHAR(36) PRIMARY KEY,
    change_order_id     VARCHAR(36) NOT NULL REFERENCES change_orders (change_order_id),
    line_no             INTEGER NOT NULL,
    description         VARCHAR(60),
    cost_code_id        VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id        VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    quantity            NUMERIC(16, 4),
    unit_cost           NUMERIC(16, 4),
    uom                 VARCHAR(10),
    amount              NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    commitment_line_id  VARCHAR(36) REFERENCES commitment_lines (line_id),
    procore_id          BIGINT UNIQUE
);

CREATE INDEX commitment_lines_commitment ON commitment_lines (commitment_id);
CREATE INDEX change_order_lines_change_order ON change_order_lines (change_order_id);

-- The owner side of each job: its prime contract (entered in the ERP, imported into Procore)
-- and the change orders Procore exports to it, with their lines and the lines' markups.
CREATE TABLE prime_contracts (
    prime_contract_id  VARCHAR(36) PRIMARY KEY,
    job_id             VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    number             VARCHAR(20) NOT NULL,
    title              VARCHAR(60),
    description        TEXT,
    status             VARCHAR(20),
    executed           BOOLEAN NOT NULL DEFAULT FALSE,
    retainage          NUMERIC(5, 2),
    start_date         DATE,
    completion_date    DATE,
    UNIQUE (job_id, number)
);

CREATE TABLE prime_contract_lines (
    line_id            VARCHAR(36) PRIMARY KEY,
    prime_contract_id  VARCHAR(36) NOT NULL REFERENCES prime_contracts (prime_contract_id),
    line_no            INTEGER NOT NULL,
    description        VARCHAR(60),
    cost_code_id       VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id       VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    quantity           NUMERIC(16, 4),
    unit_cost          NUMERIC(16, 4),
    uom                VARCHAR(10),
    amount             NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000)
);

CREATE TABLE prime_change_orders (
    change_order_id    VARCHAR(36) PRIMARY KEY,
    prime_contract_id  VARCHAR(36) NOT NULL REFERENCES prime_contracts (prime_contract_id),
    number             VARCHAR(20) NOT NULL,
    title              VARCHAR(60),
    description        TEXT,
    status             VARCHAR(20),
    transaction_date   DATE,
    procore_id         BIGINT UNIQUE
);

CREATE TABLE prime_change_order_lines (
    line_id                 VARCHAR(36) PRIMARY KEY,
    change_order_id         VARCHAR(36) NOT NULL REFERENCES prime_change_orders (change_order_id),
    line_no                 INTEGER NOT NULL,
    description             VARCHAR(60),
    cost_code_id            VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id            VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    quantity                NUMERIC(16, 4),
    unit_cost               NUMERIC(16, 4),
    uom                     VARCHAR(10),
    amount                  NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    prime_contract_line_id  VARCHAR(36) REFERENCES prime_contract_lines (line_id),
    procore_id              BIGINT UNIQUE
);

CREATE TABLE prime_change_order_markups (
    markup_id     VARCHAR(36) PRIMARY KEY,
    line_id       VARCHAR(36) NOT NULL REFERENCES prime_change_order_lines (line_id),
    name          VARCHAR(60),
    percentage    NUMERIC(9, 4),
    amount        NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    cost_code_id  VARCHAR(36) REFERENCES cost_codes (cost_code_id),
    cost_type_id  VARCHAR(36) REFERENCES cost_types (cost_type_id),
    procore_id    BIGINT UNIQUE
);

-- A void change order frees its number: a live one is unique on its prime contract.
CREATE UNIQUE INDEX prime_change_orders_live_number ON prime_change_orders (prime_contract_id, number) WHERE status IS NULL OR status <> 'Void';
CREATE INDEX prime_contract_lines_contract ON prime_contract_lines (prime_contract_id);
CREATE INDEX prime_change_order_lines_change_order ON prime_change_order_lines (change_order_id);
CREATE INDEX prime_change_order_markups_line ON prime_change_order_markups (line_id);
-- Subcontractor invoices (requisitions exported from Procore, or entered in the ERP: procore_id
-- blank) and the payments made on them. An invoice line bills a commitment line or a change
-- order line; a payment exported from Procore keeps its Procore id, so it is not listed back.
CREATE TABLE requisitions (
    requisition_id  VARCHAR(36) PRIMARY KEY,
    commitment_id   VARCHAR(36) NOT NULL REFERENCES commitments (commitment_id),
    invoice_number  VARCHAR(30) NOT NULL,
    billing_date    DATE,
    status          VARCHAR(20),
    procore_id      BIGINT UNIQUE
);

CREATE TABLE requisition_lines (
    line_id               VARCHAR(36) PRIMARY KEY,
    requisition_id        VARCHAR(36) NOT NULL REFERENCES requisitions (requisition_id),
    line_no               INTEGER NOT NULL,
    item_type             VARCHAR(40) NOT NULL,
    description           VARCHAR(60),
    commitment_line_id    VARCHAR(36) REFERENCES commitment_lines (line_id),
    change_order_line_id  VARCHAR(36) REFERENCES change_order_lines (line_id),
    amount                NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    retainage             NUMERIC(14, 2),
    procore_id            BIGINT UNIQUE
);

CREATE TABLE payments (
    payment_id      VARCHAR(36) PRIMARY KEY,
    requisition_id  VARCHAR(36) NOT NULL REFERENCES requisitions (requisition_id),
    payment_number  VARCHAR(20) NOT NULL UNIQUE,
    amount          NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    paid_on         DATE NOT NULL,
    check_number    VARCHAR(20),
    method          VARCHAR(20),
    status          VARCHAR(20),
    procore_id      BIGINT UNIQUE
);

CREATE INDEX requisitions_commitment ON requisitions (commitment_id);
CREATE INDEX requisition_lines_requisition ON requisition_lines (requisition_id);
CREATE INDEX payments_requisition ON payments (requisition_id);

-- Payment applications (billed to the owner) and company-level direct costs (invoices and
-- expenses posted to jobs): exported from Procore, header and lines. No unique number: a void
-- document stays as history beside the one entered again after it.
CREATE TABLE pay_applications (
    pay_app_id          VARCHAR(36) PRIMARY KEY,
    job_id              VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    number              VARCHAR(20) NOT NULL,
    contract_name       VARCHAR(100),
    billing_date        DATE,
    period_start        DATE,
    period_end          DATE,
    status              VARCHAR(20),
    scheduled_value     NUMERIC(14, 2),
    billed_this_period  NUMERIC(14, 2),
    retainage           NUMERIC(14, 2),
    amount_due          NUMERIC(14, 2),
    procore_id          BIGINT UNIQUE
);

CREATE TABLE pay_application_lines (
    line_id                VARCHAR(36) PRIMARY KEY,
    pay_app_id             VARCHAR(36) NOT NULL REFERENCES pay_applications (pay_app_id),
    line_no                INTEGER NOT NULL,
    description            VARCHAR(60),
    contract_line_ref      VARCHAR(60),
    scheduled_value        NUMERIC(14, 2),
    previously_completed   NUMERIC(14, 2),
    completed_this_period  NUMERIC(14, 2),
    materials_stored       NUMERIC(14, 2),
    completed_to_date      NUMERIC(14, 2),
    retainage              NUMERIC(14, 2),
    amount                 NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    procore_id             BIGINT UNIQUE
);

CREATE TABLE direct_costs (
    direct_cost_id   VARCHAR(36) PRIMARY KEY,
    vendor_id        VARCHAR(36) REFERENCES vendors (vendor_id),
    cost_kind        VARCHAR(24) NOT NULL,
    invoice_number   VARCHAR(30),
    description      TEXT,
    cost_date        DATE,
    accounting_date  DATE,
    status           VARCHAR(20),
    total            NUMERIC(14, 2) NOT NULL,
    procore_id       BIGINT UNIQUE
);

CREATE TABLE direct_cost_lines (
    line_id         VARCHAR(36) PRIMARY KEY,
    direct_cost_id  VARCHAR(36) NOT NULL REFERENCES direct_costs (direct_cost_id),
    line_no         INTEGER NOT NULL,
    description     VARCHAR(60),
    job_id          VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    cost_code_id    VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id    VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    quantity        NUMERIC(16, 4),
    unit_cost       NUMERIC(16, 4),
    uom             VARCHAR(10),
    amount          NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    procore_id      BIGINT UNIQUE
);

CREATE INDEX pay_application_lines_pay_app ON pay_application_lines (pay_app_id);
CREATE INDEX direct_cost_lines_direct_cost ON direct_cost_lines (direct_cost_id);

-- The job cost structure: sub jobs, the cost codes opened on each job or sub job (a job's own
-- have no sub job), the cost types on each with what is estimated and posted, and the budget
-- of a job with the transactions Procore exported to it (one row per Procore transaction id).

CREATE TABLE sub_jobs (
    sub_job_id  VARCHAR(36) PRIMARY KEY,
    job_id      VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    code        VARCHAR(10) NOT NULL,
    name        VARCHAR(40) NOT NULL,
    procore_id  BIGINT UNIQUE,
    UNIQUE (job_id, code)
);

CREATE TABLE job_cost_codes (
    job_cost_code_id  VARCHAR(36) PRIMARY KEY,
    job_id            VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    sub_job_id        VARCHAR(36) REFERENCES sub_jobs (sub_job_id),
    cost_code_id      VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    procore_id        BIGINT UNIQUE
);

CREATE TABLE job_costs (
    job_cost_id        VARCHAR(36) PRIMARY KEY,
    job_id             VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    sub_job_id         VARCHAR(36) REFERENCES sub_jobs (sub_job_id),
    cost_code_id       VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id       VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    original_estimate  NUMERIC(14, 2),
    estimate           NUMERIC(14, 2),
    job_to_date_cost   NUMERIC(14, 2)
);

CREATE TABLE budgets (
    budget_id   VARCHAR(36) PRIMARY KEY,
    job_id      VARCHAR(36) NOT NULL UNIQUE REFERENCES jobs (job_id),
    procore_id  BIGINT UNIQUE
);

CREATE TABLE budget_transactions (
    transaction_id       VARCHAR(36) PRIMARY KEY,
    budget_id            VARCHAR(36) NOT NULL REFERENCES budgets (budget_id),
    job_id               VARCHAR(36) NOT NULL REFERENCES jobs (job_id),
    sub_job_id           VARCHAR(36) REFERENCES sub_jobs (sub_job_id),
    cost_code_id         VARCHAR(36) NOT NULL REFERENCES cost_codes (cost_code_id),
    cost_type_id         VARCHAR(36) NOT NULL REFERENCES cost_types (cost_type_id),
    kind                 VARCHAR(20),
    amount               NUMERIC(14, 2) NOT NULL CHECK (amount > -1000000000000 AND amount < 1000000000000),
    notes                VARCHAR(60),
    procore_job_cost_id  BIGINT,
    procore_id           BIGINT NOT NULL UNIQUE
);

CREATE INDEX job_cost_codes_job ON job_cost_codes (job_id, sub_job_id);
CREATE INDEX job_costs_job ON job_costs (job_id, sub_job_id);
