package migrations

// ApplyAllBut exports applyAllBut to the upgrade tests.
var ApplyAllBut = applyAllBut
