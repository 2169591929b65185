^XA
^CI28
^PW812
^LL406
^LH0,0
^FX Tote label: the tote id large and as Code 128
^FO40,30^A0N,90,90^FH^FD{{tote:12}}^FS
^BY3,3,150
^FO40,140^BCN,150,N,N,N,A^FH^FD{{tote:12:bc}}^FS
^FO40,320^A0N,30,30^FH^FD{{warehouse:16}} {{zone:16}}^FS
^XZ
