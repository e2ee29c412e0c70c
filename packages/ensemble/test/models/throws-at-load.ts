/** A worker module that cannot load: its top level throws. */
throw new Error("this worker module throws while loading");
