#ifndef MFA_BATCH_CLIBPQ_SHIM_H
#define MFA_BATCH_CLIBPQ_SHIM_H

#include <libpq-fe.h>

// The PG_DIAG_* field codes are character-literal macros ('C'), which Swift does
// not import. Re-declared here as constants with the same values.
static const int CLibPQ_DIAG_SEVERITY = 'S';
static const int CLibPQ_DIAG_SQLSTATE = 'C';
static const int CLibPQ_DIAG_MESSAGE_PRIMARY = 'M';
static const int CLibPQ_DIAG_MESSAGE_DETAIL = 'D';
static const int CLibPQ_DIAG_MESSAGE_HINT = 'H';
static const int CLibPQ_DIAG_SCHEMA_NAME = 's';
static const int CLibPQ_DIAG_TABLE_NAME = 't';
static const int CLibPQ_DIAG_COLUMN_NAME = 'c';
static const int CLibPQ_DIAG_CONSTRAINT_NAME = 'n';

#endif
