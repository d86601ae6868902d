"""web workspace: analysts' manager flag and one-time sign-in links

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analysts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manager', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('web_sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('analyst_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['analyst_id'], ['analysts.id'], name=op.f('fk_web_sign_ins_analyst_id_analysts')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_web_sign_ins_contact_id_contacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sign_ins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sign_ins_token_hash'))
    )
    with op.batch_alter_table('web_sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sign_ins_analyst_id'), ['analyst_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sign_ins_contact_id'), ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sign_ins_contact_id'))
        batch_op.drop_index(batch_op.f('ix_web_sign_ins_analyst_id'))
    op.drop_table('web_sign_ins')
    with op.batch_alter_table('analysts', schema=None) as batch_op:
        batch_op.drop_column('manager')
