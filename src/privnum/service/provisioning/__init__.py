"""Provisioning use cases, one module per Huawei mode (bind, unbind, modify, query), over the
``ProvisioningStore`` port; placement finds and claims an X, the database settles races."""
