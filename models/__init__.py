"""SQLModel tables by domain; importing this package registers every table on the metadata."""

from sqlmodel import SQLModel

from models.accounts import AuditEvent, CustomerNote, User
from models.billers import ApiKey, Biller, BillerSender
from models.bills import Bill, LinkEvent, Payment, PaymentLink
from models.cadences import Cadence, CadenceStep
from models.complaints import Complaint
from models.customers import Customer, CustomerChannel
from models.imports import staged_bills, staged_customers
from models.inbound import InboundMessage
from models.jobs import Job
from models.messages import (
    Conversation,
    ConversationMessage,
    MessageTemplate,
    OutboundMessage,
    SenderRate,
)
from models.reconciliation import PaymentProviderAccount, StatementLine
from models.support import CannedReply, ConversationLabel, Label
from models.webhooks import WebhookDelivery, WebhookEndpoint

metadata = SQLModel.metadata

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Bill",
    "Biller",
    "BillerSender",
    "Cadence",
    "CadenceStep",
    "CannedReply",
    "Complaint",
    "Conversation",
    "ConversationLabel",
    "ConversationMessage",
    "Customer",
    "CustomerChannel",
    "CustomerNote",
    "InboundMessage",
    "Job",
    "Label",
    "LinkEvent",
    "MessageTemplate",
    "OutboundMessage",
    "Payment",
    "PaymentLink",
    "PaymentProviderAccount",
    "SenderRate",
    "StatementLine",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
    "staged_bills",
    "staged_customers",
]
