"""The demo ERP's field limits, shared by its tables and by the constraint check that explains
them, so the message and the column can never disagree."""

VENDOR_CODE = 15
VENDOR_NAME = 30
TRADE = 40
TAX_ID = 11
ADDRESS = 60
CITY = 30
STATE_CODE = 2
ZIP = 10
COUNTRY_CODE = 2
PHONE = 20
EMAIL = 80
WEBSITE = 100

JOB_CODE = 10
JOB_NAME = 40
SUB_JOB_CODE = 10
SUB_JOB_NAME = 40

COST_CODE = 20
COST_CODE_NAME = 40
COST_TYPE_CODE = 2
COST_TYPE_NAME = 30

COMMITMENT_NUMBER = 20
COMMITMENT_TITLE = 60
CHANGE_ORDER_NUMBER = 20
CHANGE_ORDER_TITLE = 60
LINE_DESCRIPTION = 60
UOM = 10

# Money: 12 digits before the point, 2 after; quantities and unit costs: 4 after.
MONEY_DIGITS = 14
QUANTITY_DIGITS = 16

# Payment applications and company-level direct costs
PAY_APP_NUMBER = 20
CONTRACT_NAME = 100
INVOICE_NUMBER = 30
# Requisitions and payments (issue 11)
REQUISITION_NUMBER = 30
PAYMENT_NUMBER = 20
CHECK_NUMBER = 20
