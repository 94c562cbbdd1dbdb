import MFABatchCore
print("mfa-batch")
