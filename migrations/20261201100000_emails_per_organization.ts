import { sql, type Kysely } from 'kysely';

// An email address is unique within an organisation, no longer across the product: refusing an
// address because another organisation has it told an admin who works elsewhere. Sign-in finds
// the accounts of an address and lets the password choose among them.
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('users_email_unique').execute();
	await db.schema.createIndex('users_organization_email_unique').on('users').columns(['organization_id', sql`lower(email)`]).unique().execute();
	await db.schema.createIndex('users_email').on('users').expression(sql`lower(email)`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('users_email').execute();
	await db.schema.dropIndex('users_organization_email_unique').execute();
	await db.schema.createIndex('users_email_unique').on('users').expression(sql`lower(email)`).unique().execute();
}
